"""One page of the thread, nested, in a constant number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from comments import tree

pytestmark = pytest.mark.django_db


def texts(nodes):
    return [(n.comment.body if n.comment else None, texts(n.children)) for n in nodes]


def minutes_ago(minutes):
    return timezone.now() - timedelta(minutes=minutes)


def fresh(article):
    """The article as the thread reads it: with the comment count the comments keep."""
    article.refresh_from_db()
    return article


def test_replies_nest_under_their_parents_oldest_first(make_article, make_comment):
    article = make_article()
    top = make_comment(article=article, body="top", created_at=minutes_ago(10))
    second = make_comment(parent=top, body="second reply", created_at=minutes_ago(5))
    make_comment(parent=top, body="first reply", created_at=minutes_ago(8))
    make_comment(parent=second, body="deep", created_at=minutes_ago(1))
    page = tree.thread_page(fresh(article))
    assert texts(page.nodes) == [("top", [("first reply", []), ("second reply", [("deep", [])])])]


def test_newest_and_oldest_order_top_level_comments(make_article, make_comment):
    article = make_article()
    for minutes, body in ((3, "old"), (2, "middle"), (1, "new")):
        make_comment(article=article, body=body, created_at=minutes_ago(minutes))
    newest = [n.comment.body for n in tree.thread_page(fresh(article), sort="newest").nodes]
    oldest = [n.comment.body for n in tree.thread_page(fresh(article), sort="oldest").nodes]
    assert newest == ["new", "middle", "old"] and oldest == ["old", "middle", "new"]
    assert tree.thread_page(fresh(article), sort="sideways").sort == "newest"


def test_top_level_comments_come_in_pages(make_article, make_comment):
    article = make_article()
    for minutes in range(5):
        make_comment(article=article, body=f"c{minutes}", created_at=minutes_ago(minutes))
    first = tree.thread_page(fresh(article), page=1, per_page=2)
    last = tree.thread_page(fresh(article), page=3, per_page=2)
    assert [n.comment.body for n in first.nodes] == ["c0", "c1"] and first.has_next
    assert [n.comment.body for n in last.nodes] == ["c4"] and not last.has_next


def test_hidden_comments_are_left_out(make_article, make_comment):
    article = make_article()
    make_comment(article=article, body="visible")
    for status in ("pending", "rejected", "spam"):
        hidden = make_comment(article=article, body=status, status=status)
        make_comment(parent=hidden, body=f"{status} reply", status=status)
    assert texts(tree.thread_page(fresh(article)).nodes) == [("visible", [])]


def test_a_removed_comment_with_visible_replies_stays_as_a_placeholder_without_text(
    make_article, make_comment
):
    article = make_article()
    removed = make_comment(article=article, body="nasty", status="rejected")
    make_comment(parent=removed, body="a measured reply")
    page = tree.thread_page(fresh(article))
    assert texts(page.nodes) == [(None, [("a measured reply", [])])]
    assert page.nodes[0].removed and page.nodes[0].pk == removed.pk


def test_comments_of_other_articles_never_appear(make_article, make_comment):
    article = make_article()
    make_comment(body="elsewhere")
    assert tree.thread_page(fresh(article)).nodes == []


def test_a_large_thread_takes_two_queries(make_article, make_comment, django_assert_num_queries):
    article = make_article()
    for _ in range(30):
        top = make_comment(article=article)
        reply = make_comment(parent=top)
        make_comment(parent=reply)
    article = fresh(article)
    with django_assert_num_queries(2):
        page = tree.thread_page(article)
    assert len(page.nodes) == 20 and all(n.children[0].children for n in page.nodes)
