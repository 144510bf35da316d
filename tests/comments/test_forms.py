"""The comment form's own checks: fields, honeypot, signed timestamp, parent."""

import time

import pytest
from django.core import signing

from articles import form_tokens
from comments.forms import CommentForm
from comments.models import Comment
from tests.comments.helpers import comment_data, issued

pytestmark = pytest.mark.django_db


def form_for(article, user=None, **data):
    return CommentForm(comment_data(article, **data), article=article, user=user)


class TestFields:
    def test_a_good_comment_is_valid(self, make_article):
        assert form_for(make_article()).is_valid()

    @pytest.mark.parametrize("body", ["", "   ", "\n\t \n"])
    def test_empty_or_blank_body_is_refused(self, make_article, body):
        form = form_for(make_article(), body=body)
        assert not form.is_valid()
        assert form.errors["body"] == ["Please write a comment."]

    def test_body_over_5000_characters_is_refused_with_its_length(self, make_article):
        form = form_for(make_article(), body="x" * 5001)
        assert not form.is_valid()
        assert "5,000" in form.errors["body"][0]

    def test_body_of_exactly_5000_characters_is_fine(self, make_article):
        assert form_for(make_article(), body="x" * 5000).is_valid()

    def test_body_is_trimmed(self, make_article):
        form = form_for(make_article(), body="  hello  \n")
        assert form.is_valid() and form.cleaned_data["body"] == "hello"

    @pytest.mark.parametrize("name", ["", "    "])
    def test_anonymous_readers_need_a_name(self, make_article, name):
        form = form_for(make_article(), author_name=name)
        assert not form.is_valid() and "author_name" in form.errors

    @pytest.mark.parametrize(
        "name",
        [
            "\u200b\u200b",  # zero-width spaces
            "\u202e\u202d",  # bidi overrides
            "\u2066\u2069\ufeff",  # an isolate and a byte-order mark
            "\u00ad\u200d",  # a soft hyphen and a zero-width joiner
            " \u3000\u2800 ",  # spaces, and Braille's blank
            "\u3164\u3164",  # Hangul fillers
        ],
    )
    def test_a_name_with_nothing_visible_is_refused(self, make_article, name):
        form = form_for(make_article(), author_name=name)
        assert not form.is_valid()
        assert form.errors["author_name"] == ["Please give a name to post under."]

    @pytest.mark.parametrize("name", ["Ann\x07", "\x1b[31mAnn", "Ann\x7f"])
    def test_a_name_with_control_characters_is_refused(self, make_article, name):
        form = form_for(make_article(), author_name=name)
        assert not form.is_valid()
        assert "printable characters" in form.errors["author_name"][0]

    def test_bidi_overrides_and_zero_width_characters_are_taken_out_of_a_name(self, make_article):
        form = form_for(make_article(), author_name="\u202eAnn\u200b \u2066Lee\u2069")
        assert form.is_valid()
        assert form.cleaned_data["author_name"] == "Ann Lee"

    @pytest.mark.parametrize("name", ["Zoë Ñúñez", "李小龍", "محمد", "Ann 🙂"])
    def test_names_in_any_script_are_kept(self, make_article, name):
        form = form_for(make_article(), author_name=name)
        assert form.is_valid() and form.cleaned_data["author_name"] == name

    def test_email_must_look_like_one(self, make_article):
        form = form_for(make_article(), email="not an email")
        assert not form.is_valid() and "email" in form.errors

    def test_logged_in_reader_only_writes_the_comment(self, make_article, make_user):
        user = make_user(first_name="Sam", last_name="Account")
        form = form_for(make_article(), user=user, author_name="", email="")
        assert "author_name" not in form.fields and "email" not in form.fields
        assert form.is_valid()
        assert form.save(commit=False).author_name == "Sam Account"


class TestSpamTraps:
    def test_filled_honeypot_is_refused(self, make_article):
        form = form_for(make_article(), website="http://spam.example")
        assert not form.is_valid() and "website" in form.errors

    def test_a_form_sent_too_fast_is_refused_and_keeps_the_text(self, make_article):
        article = make_article()
        form = form_for(article, issued=issued(article, seconds_ago=0), body="Typed text")
        assert not form.is_valid()
        assert "very quick" in form.errors["issued"][0]
        assert form["body"].value() == "Typed text"

    def test_the_minimum_time_is_the_discussion_settings(self, make_article, discussion_settings):
        article = make_article()
        discussion_settings(min_seconds_to_post=30)
        assert not form_for(article, issued=issued(article, seconds_ago=20)).is_valid()
        discussion_settings(min_seconds_to_post=0)
        assert form_for(article, issued=issued(article, seconds_ago=0)).is_valid()

    def test_a_form_older_than_a_day_is_refused_with_a_fresh_token(self, make_article):
        article = make_article()
        form = form_for(article, issued=issued(article, seconds_ago=25 * 3600))
        assert not form.is_valid()
        assert "too long" in form.errors["issued"][0]
        fresh = form_tokens.read(form["issued"].value())
        assert fresh.article_id == article.pk and fresh.age() < 5

    @pytest.mark.parametrize(
        "token",
        [
            "",
            "garbage",
            "MTc5:forged:signature",
            issued(1)[:-3] + "abc",
            signing.dumps(int(time.time()) - 60, salt=form_tokens.SALT),  # the old format
        ],
    )
    def test_a_tampered_timestamp_is_refused(self, make_article, token):
        form = form_for(make_article(), issued=token)
        assert not form.is_valid() and "issued" in form.errors


class TestTheFormTokenIsBoundToItsArticleAndUsableOnce:
    def test_a_token_issued_for_another_article_is_refused_with_a_fresh_one(self, make_article):
        article, other = make_article(), make_article()
        form = form_for(article, issued=issued(other), body="Typed text")
        assert not form.is_valid()
        assert "could not be posted" in form.errors["issued"][0]
        assert form_tokens.read(form["issued"].value()).article_id == article.pk
        assert form["body"].value() == "Typed text"

    def test_a_token_already_used_for_a_comment_is_refused_with_a_fresh_one(self, make_article):
        article = make_article()
        token = issued(article)
        first = form_for(article, issued=token)
        assert first.is_valid() and first.use_token()
        again = form_for(article, issued=token, body="Second try")
        assert not again.is_valid()
        assert "already been used" in again.errors["issued"][0]
        assert form_tokens.read(again["issued"].value()).nonce != form_tokens.read(token).nonce
        assert again["body"].value() == "Second try"

    def test_a_token_used_at_the_same_moment_is_refused_when_saving(self, make_article):
        article = make_article()
        token = issued(article)
        first, second = form_for(article, issued=token), form_for(article, issued=token)
        assert first.is_valid() and second.is_valid()  # both checked before either saved
        assert first.use_token()
        assert not second.use_token()
        assert "already been used" in second.errors["issued"][0]

    def test_each_new_form_gets_a_token_of_its_own(self, make_article):
        article = make_article()
        tokens = [form_tokens.read(CommentForm(article=article)["issued"].value()) for _ in "ab"]
        assert tokens[0].nonce != tokens[1].nonce
        assert {t.article_id for t in tokens} == {article.pk}


class TestReplies:
    def test_reply_attaches_to_its_parent(self, make_article, make_comment):
        parent = make_comment()
        form = form_for(parent.article, parent=parent.pk)
        assert form.is_valid()
        reply = form.save(commit=False)
        assert (reply.parent, reply.root_id, reply.depth) == (parent, parent.pk, 1)

    def test_reply_to_comment_on_another_article_is_refused(self, make_article, make_comment):
        elsewhere = make_comment()
        form = form_for(make_article(), parent=elsewhere.pk)
        assert not form.is_valid()
        assert "not available" in form.errors["parent"][0]

    @pytest.mark.parametrize("status", ["pending", "rejected", "spam"])
    def test_reply_to_a_hidden_comment_is_refused(self, make_comment, status):
        hidden = make_comment(status=status)
        assert not form_for(hidden.article, parent=hidden.pk).is_valid()

    def test_reply_to_a_missing_comment_is_refused(self, make_article):
        assert not form_for(make_article(), parent=999999).is_valid()

    @pytest.mark.parametrize("parent", ["abc", "1.5", "-1"])
    def test_a_malformed_parent_is_refused(self, make_article, parent):
        assert not form_for(make_article(), parent=parent).is_valid()

    def test_a_reply_too_deep_attaches_to_the_deepest_level(self, make_comment, settings):
        settings.NEWSROOM_COMMENT_MAX_DEPTH = 3
        top = make_comment()
        second = make_comment(parent=top)
        third = make_comment(parent=second)
        form = form_for(top.article, parent=third.pk)
        assert form.is_valid()
        reply = form.save(commit=False)
        assert reply.parent == second and reply.depth == 2 and reply.root_id == top.pk
        assert form.reply_to == third


def test_saved_comment_is_plain_text_as_typed(make_article):
    form = form_for(make_article(), body="<script>alert(1)</script> & <b>bold</b>")
    assert form.is_valid()
    form.instance.reader = "r" * 64
    comment = form.save()
    assert Comment.objects.get(pk=comment.pk).body == "<script>alert(1)</script> & <b>bold</b>"
