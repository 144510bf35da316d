"""The comment form: what a reader may send, and the spam checks that need no service.

Two traps for bots: a honeypot field people never see, and a signed token
(``articles.form_tokens``) that refuses forms sent faster than a person types
(the Discussion settings' minimum seconds), older than a day, issued for
another article, or already used for a comment.
"""

import re
import unicodedata

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import MaxLengthValidator

from articles import form_tokens

from . import moderation
from .editing import EDIT_MINUTES
from .models import Comment, CommentReport

ID = re.compile(r"[1-9][0-9]{0,17}")  # ASCII digits, within a 64-bit key

# Characters that are not seen but change how text around them reads (bidi
# embeddings, overrides and isolates, zero-width spaces and joiners), and blank
# letters and symbols that pass for something (Hangul fillers, Braille's blank).
INVISIBLE = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad\u034f\u180e"
    "\u115f\u1160\u3164\uffa0\u2800]"
)


def parse_id(value):
    """An id typed as ASCII digits, or None: never ``1.5``, ``1e3``, ``²`` or Arabic-Indic digits."""
    return int(value) if isinstance(value, str) and ID.fullmatch(value) else None


class IdField(forms.CharField):
    widget = forms.HiddenInput

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if parse_id(value) is None:
            raise forms.ValidationError(
                "The comment you replied to is not available any more. "
                "You can post yours as a new comment."
            )
        return parse_id(value)


def is_visible(character):
    """Letters, marks, digits, punctuation and symbols; not spaces, controls or
    format characters."""
    return unicodedata.category(character)[0] in "LMNPS"


class CommentForm(forms.ModelForm):
    # Named like a field a bot would fill; hidden from people by CSS and from
    # assistive technology by aria-hidden on its wrapper.
    website = forms.CharField(required=False, label="Leave this field empty")
    issued = forms.CharField(widget=forms.HiddenInput)
    parent = IdField(required=False)
    notify_replies = forms.BooleanField(
        required=False,
        label="Email me when someone replies",
        help_text="Unless you have confirmed your address before, we first email you a link "
        "to confirm it. Every email has a link to stop them.",
    )
    warning = None  # a moderator's warning the reader must acknowledge to post (sanctions)

    class Meta:
        model = Comment
        fields = ["author_name", "email", "body"]
        labels = {
            "author_name": "Name",
            "email": "Email (optional, never shown)",
            "body": "Comment",
        }
        widgets = {
            "body": forms.Textarea(attrs={"rows": 5, "maxlength": 5000}),
            "author_name": forms.TextInput(attrs={"autocomplete": "name", "maxlength": 80}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, article, user=None, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.rules = rules  # the Discussion settings the request read, if it did
        self.user = user if user is not None and user.is_authenticated else None
        if self.user:
            del self.fields["author_name"]
            del self.fields["email"]
        else:
            self.fields["author_name"].required = True
            self.fields["author_name"].error_messages["required"] = (
                "Please give a name to post under."
            )
        body = self.fields["body"]
        body.error_messages["required"] = "Please write a comment."
        # clean_body gives the length rule a clearer message than the generic one.
        body.validators = [v for v in body.validators if not isinstance(v, MaxLengthValidator)]
        if not self.is_bound:
            self.initial.setdefault("issued", form_tokens.issue(article.pk))
        self.reply_to = None

    @property
    def first_invalid_field(self):
        """The visible field focus goes to after a server-side error: the first in
        error, in the order the reader fills them; None when only the form is."""
        for field in self.visible_fields():
            if field.errors and field.name != "website":
                return field.name
        return None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("notify_replies"):
            if self.user is not None and not self.user.email:
                self.add_error(
                    "notify_replies",
                    "Your account has no email address to tell you of replies. "
                    "Untick the box to post.",
                )
            elif self.user is None and not cleaned.get("email") and "email" not in self.errors:
                self.add_error(
                    "email", "Give your email address to be told of replies, or untick the box."
                )
        return cleaned

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError("Your comment could not be posted.")
        return ""

    def clean_issued(self):
        try:
            token = form_tokens.read(self.cleaned_data["issued"])
        except signing.BadSignature:
            token = None
        if token is None or token.article_id != self.article.pk:
            self._renew_timestamp()
            raise forms.ValidationError("Your comment could not be posted. Please send it again.")
        age = token.age()
        if age > settings.NEWSROOM_COMMENT_FORM_MAX_AGE_HOURS * 3600:
            self._renew_timestamp()
            raise forms.ValidationError(
                "This form was open for too long. Please send your comment again."
            )
        if age < (self.rules or moderation.policy()).min_seconds_to_post:
            raise forms.ValidationError(
                "That was very quick. Please wait a moment and send your comment again."
            )
        if form_tokens.is_used(token.nonce):
            self.refuse_used_token()
        return token

    def refuse_used_token(self):
        """The form was already sent and saved: a fresh token for the form shown again."""
        self._renew_timestamp()
        raise forms.ValidationError(
            "This form has already been used to post a comment. If you meant to post "
            "this one too, please send it again."
        )

    def use_token(self):
        """Record the token as used, in the transaction that saves the comment;
        False (with the error on the form) when it already was."""
        if form_tokens.use(self.cleaned_data["issued"].nonce):
            return True
        try:
            self.refuse_used_token()
        except forms.ValidationError as error:
            self.add_error("issued", error)
        return False

    def _renew_timestamp(self):
        # A bound form shows its data; give the re-rendered form a fresh token.
        self.data = self.data.copy()
        self.data[self.add_prefix("issued")] = form_tokens.issue(self.article.pk)

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Please write a comment.")
        if len(body) > 5000:
            raise forms.ValidationError(
                f"Comments can be up to 5,000 characters; this one has {len(body):,}."
            )
        return body

    def clean_author_name(self):
        """The name as readers will see it: invisible and direction-changing
        characters removed, spaces collapsed; control characters are refused, and
        something visible must remain."""
        name = INVISIBLE.sub("", self.cleaned_data["author_name"])
        if any(unicodedata.category(c) == "Cc" and not c.isspace() for c in name):
            raise forms.ValidationError("Please use only printable characters in your name.")
        name = " ".join(name.split())
        if not any(is_visible(c) for c in name):
            raise forms.ValidationError("Please give a name to post under.")
        return name

    def clean_parent(self):
        """A reply must answer a visible comment on the same article.

        A reply deeper than the thread allows is attached to the deepest level.
        """
        parent_id = self.cleaned_data.get("parent")
        if parent_id is None:
            return None
        parent = (
            Comment.objects.visible()
            .filter(pk=parent_id, article=self.article)
            .select_related("parent")
            .first()
        )
        if parent is None:
            raise forms.ValidationError(
                "The comment you replied to is not available any more. "
                "You can post yours as a new comment."
            )
        self.reply_to = parent
        deepest = settings.NEWSROOM_COMMENT_MAX_DEPTH - 1
        if parent.depth >= deepest and parent.parent_id:
            parent = parent.parent
        return parent

    def save(self, commit=True):
        comment = super().save(commit=False)
        comment.article = self.article
        parent = self.cleaned_data.get("parent")
        if parent is not None:
            comment.parent = parent
            comment.root_id = parent.root_id or parent.pk
            comment.depth = parent.depth + 1
            if self.reply_to is not None and self.reply_to.pk != parent.pk:
                comment.in_reply_to = self.reply_to  # placed beside it, at the depth limit
        if self.user:
            comment.user = self.user
            comment.author_name = self.user.get_full_name() or self.user.get_username()
        if commit:
            comment.save()
        return comment


class FollowForm(forms.Form):
    """Follow a discussion by email without commenting. A signed-in reader is
    mailed at their account's address, and gives none."""

    TOO_MANY = (
        "You have asked to follow many discussions in a short time. Please try again in an hour."
    )

    email = forms.EmailField(
        label="Your email address",
        help_text="Never shown to anyone. Unless you have confirmed it before, we first "
        "email you a link to confirm it.",
        error_messages={
            "required": "Please give the email address to send the comments to.",
            "invalid": "Please enter an email address like name@example.com.",
        },
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        if self.user:
            del self.fields["email"]

    def clean(self):
        cleaned = super().clean()
        if self.user is not None and not self.user.email:
            raise forms.ValidationError(
                "Your account has no email address to send the comments to."
            )
        return cleaned

    @property
    def done_message(self):
        if self.user is not None:
            return "You follow this discussion: new comments will be emailed to you."
        return (
            "Thank you. Check your inbox: unless you confirmed your address before, we have "
            "sent you a link to confirm it, and new comments are emailed once you do."
        )


class ReportForm(forms.ModelForm):
    """Why a reader reports a comment. Illegal content is a notice under the EU
    Digital Services Act (article 16): it needs an explanation and the reporter's
    confirmation that it is given in good faith; which law, and an email for the
    receipt, are optional. The notice's fields are kept only for illegal content.
    """

    class Meta:
        model = CommentReport
        fields = ["reason", "law", "explanation", "good_faith", "contact_email"]
        labels = {
            "reason": "Why are you reporting this comment?",
            "law": "Which law does it break, or what kind of illegal content is it?",
            "explanation": "Why is it illegal?",
            "good_faith": "I confirm, in good faith, that this notice is accurate and complete.",
            "contact_email": "Your email, for a receipt (optional)",
        }
        help_texts = {
            "law": "For example: defamation, incitement to violence, copyright, a country's "
            "law or article. Optional.",
            "explanation": "Say what in the comment is illegal and why, as precisely as you can.",
            "contact_email": "We send the receipt there; it is never shown or shared.",
        }
        widgets = {"reason": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        reason.choices = CommentReport.Reason.choices  # no empty choice: a reason is chosen
        reason.error_messages.update(
            required="Please choose why you are reporting this comment.",
            invalid_choice="Please choose one of the reasons listed.",
        )
        self.fields["contact_email"].error_messages["invalid"] = (
            "Please enter an email address like name@example.com, or leave it empty."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") != CommentReport.Reason.ILLEGAL:
            cleaned.update(law="", explanation="", good_faith=False)
            return cleaned
        if not cleaned.get("explanation") and "explanation" not in self.errors:
            self.add_error(
                "explanation", "Please explain why the comment is illegal: moderators act on it."
            )
        if not cleaned.get("good_faith"):
            self.add_error("good_faith", "Please confirm that you send this notice in good faith.")
        return cleaned

    def notice(self):
        """The report's fields, as ``moderation.record_report`` takes them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EditForm(forms.ModelForm):
    """An author's new text for their comment: the same rules as the comment form's."""

    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": "Your comment"}
        help_texts = {
            "body": f"You can edit your comment for {EDIT_MINUTES} minutes after posting. A "
            "moderator may review the new text; they will see what it said before."
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 5, "maxlength": 5000})}
        error_messages = {"body": {"required": "Please write a comment."}}

    clean_body = CommentForm.clean_body
