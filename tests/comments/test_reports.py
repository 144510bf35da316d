"""Reports with reasons: a reader says why, illegal content is a notice under the
EU Digital Services Act, and every report gets a receipt (by mail too when the
reader gives an address). Each path is driven with htmx and as a plain form."""

import re

import pytest
from django.urls import reverse

from comments.models import CommentReport
from tests.comments.helpers import sent_mail
from tests.conftest import READER_UA

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

NOTICE = {
    "reason": "illegal",
    "law": "Defamation",
    "explanation": "It says a named shopkeeper poisons customers, which is false.",
    "good_faith": "on",
    "contact_email": "ann@example.com",
}


@pytest.fixture
def reader(reader_client):
    return reader_client


def report_url(comment):
    return reverse("comments:report", args=[comment.pk])


def text(response):
    return response.content.decode()


class TestTheReportForm:
    def test_htmx_gets_the_form_in_place_with_every_reason(self, reader, make_comment):
        comment = make_comment()
        page = text(reader.get(report_url(comment), **HTMX))
        assert page.lstrip().startswith(f'<form id="report-{comment.pk}"')
        assert f'data-hx-post="{report_url(comment)}"' in page and 'data-hx-target="this"' in page
        for label in ("Spam or advertising", "Abusive, harassing or hateful", "Off-topic"):
            assert label in page
        assert "Illegal content" in page and "Digital Services Act" in page
        assert "csrfmiddlewaretoken" in page

    def test_without_js_the_form_is_a_page_quoting_the_comment(self, reader, make_comment):
        comment = make_comment(body="Rude remark")
        response = reader.get(report_url(comment))
        page = text(response)
        assert response.status_code == 200 and "<html" in page
        assert "Report this comment?" in page and "Rude remark" in page
        assert f'action="{report_url(comment)}"' in page

    def test_field_ids_belong_to_the_comment_so_two_forms_can_share_a_page(
        self, reader, make_comment
    ):
        comment = make_comment()
        page = text(reader.get(report_url(comment), **HTMX))
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert ids and all(i.startswith(f"report-{comment.pk}") for i in ids)

    def test_the_form_is_never_cached(self, reader, make_comment):
        response = reader.get(report_url(make_comment()), **HTMX)
        assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


class TestReasons:
    @pytest.mark.parametrize("reason", ["spam", "abuse", "off_topic"])
    def test_each_plain_reason_is_recorded_without_a_notice(self, reader, make_comment, reason):
        comment = make_comment()
        response = reader.post(report_url(comment), {"reason": reason}, **HTMX)
        assert response.status_code == 200
        report = CommentReport.objects.get()
        assert (report.comment, report.reason) == (comment, reason)
        assert (report.law, report.explanation, report.good_faith) == ("", "", False)

    def test_notice_fields_sent_with_another_reason_are_not_kept(self, reader, make_comment):
        reader.post(report_url(make_comment()), {**NOTICE, "reason": "spam"}, **HTMX)
        report = CommentReport.objects.get()
        assert (report.reason, report.law, report.explanation, report.good_faith) == (
            "spam",
            "",
            "",
            False,
        )
        assert report.contact_email == "ann@example.com"

    def test_an_illegal_content_notice_keeps_every_field(self, reader, make_comment):
        reader.post(report_url(make_comment()), NOTICE, **HTMX)
        report = CommentReport.objects.get()
        assert report.reason == "illegal" and report.law == "Defamation"
        assert report.explanation.startswith("It says a named shopkeeper")
        assert report.good_faith is True and report.contact_email == "ann@example.com"

    def test_law_and_contact_are_optional_for_a_notice(self, reader, make_comment):
        data = {**NOTICE, "law": "", "contact_email": ""}
        assert reader.post(report_url(make_comment()), data, **HTMX).status_code == 200
        assert CommentReport.objects.get().law == ""


class TestInvalidReports:
    def test_no_reason_is_refused_in_place_with_422(self, reader, make_comment):
        comment = make_comment()
        response = reader.post(report_url(comment), {}, **HTMX)
        page = text(response)
        assert response.status_code == 422
        assert page.lstrip().startswith(f'<form id="report-{comment.pk}"')
        assert "Please choose why you are reporting this comment." in page
        assert 'role="alert"' in page
        assert not CommentReport.objects.exists()

    def test_an_unknown_reason_is_refused(self, reader, make_comment):
        response = reader.post(report_url(make_comment()), {"reason": "boring"}, **HTMX)
        assert response.status_code == 422
        assert "Please choose one of the reasons listed." in text(response)
        assert not CommentReport.objects.exists()

    def test_illegal_without_explanation_or_good_faith_keeps_what_was_typed(
        self, reader, make_comment
    ):
        data = {**NOTICE, "explanation": "   ", "good_faith": ""}
        response = reader.post(report_url(make_comment()), data, **HTMX)
        page = text(response)
        assert response.status_code == 422
        assert "Please explain why the comment is illegal" in page
        assert "Please confirm that you send this notice in good faith." in page
        assert 'value="Defamation"' in page and 'value="ann@example.com"' in page
        assert re.search(r'value="illegal"[^>]*checked', page)
        assert 'aria-invalid="true"' in page
        assert not CommentReport.objects.exists()

    def test_a_bad_contact_email_is_refused_and_kept(self, reader, make_comment):
        data = {"reason": "spam", "contact_email": "not an address"}
        response = reader.post(report_url(make_comment()), data, **HTMX)
        assert response.status_code == 422
        assert "Please enter an email address like name@example.com" in text(response)
        assert 'value="not an address"' in text(response)

    def test_an_overlong_explanation_is_an_error_not_a_crash(self, reader, make_comment):
        data = {**NOTICE, "explanation": "x" * 2001}
        response = reader.post(report_url(make_comment()), data, **HTMX)
        assert response.status_code == 422
        assert "at most 2000 characters" in text(response)

    def test_without_js_errors_come_back_on_the_page_with_the_text_kept(self, reader, make_comment):
        comment = make_comment(body="Rude remark")
        data = {**NOTICE, "good_faith": ""}
        response = reader.post(report_url(comment), data)
        page = text(response)
        assert response.status_code == 422 and "<html" in page
        assert "Rude remark" in page and "Please confirm that you send this notice" in page
        assert "It says a named shopkeeper poisons customers" in page
        assert not CommentReport.objects.exists()


class TestReceipt:
    def test_htmx_receipt_replaces_the_form_with_reference_time_reason_and_next_steps(
        self, reader, make_comment
    ):
        comment = make_comment()
        response = reader.post(report_url(comment), {"reason": "abuse"}, **HTMX)
        page = text(response)
        report = CommentReport.objects.get()
        assert page.lstrip().startswith(f'<div id="report-{comment.pk}"')
        assert report.reference in page and re.fullmatch(r"R-\d{6}", report.reference)
        assert f'datetime="{report.created_at.replace(microsecond=0).isoformat()}"' in page
        assert "Abusive, harassing or hateful" in page
        assert "What happens next" in page

    def test_without_js_the_receipt_is_a_page_of_its_own(self, reader, make_comment):
        comment = make_comment()
        response = reader.post(report_url(comment), NOTICE)
        assert response.status_code == 302
        assert response["Location"].startswith(report_url(comment) + "?receipt=")
        page = text(reader.get(response["Location"]))
        report = CommentReport.objects.get()
        assert "Report received" in page and report.reference in page
        assert "Illegal content" in page and "Defamation" in page

    def test_a_forged_receipt_link_shows_the_form_not_someone_elses_receipt(
        self, reader, make_comment
    ):
        comment = make_comment()
        response = reader.get(report_url(comment) + "?receipt=1")
        assert response.status_code == 302 and response["Location"] == report_url(comment)

    def test_a_receipt_link_for_another_comment_shows_nothing_of_the_report(
        self, reader, make_comment
    ):
        comment, other = make_comment(), make_comment()
        location = reader.post(report_url(comment), {"reason": "spam"})["Location"]
        token = location.split("?receipt=")[1]
        response = reader.get(f"{report_url(other)}?receipt={token}")
        assert response.status_code == 302 and response["Location"] == report_url(other)

    def test_the_receipt_is_mailed_to_the_contact_email(self, reader, make_comment):
        comment = make_comment(author_name="Sam")
        receipt = text(reader.post(report_url(comment), NOTICE, **HTMX))
        assert "on its way to the email address you gave" in receipt
        report = CommentReport.objects.get()
        [message] = sent_mail()
        assert message.to == ["ann@example.com"]
        assert report.reference in message.subject
        assert "Illegal content" in message.body and "Defamation" in message.body
        assert comment.get_absolute_url() in message.body
        assert "What happens next" in message.body

    def test_no_mail_without_a_contact_email(self, reader, make_comment):
        reader.post(report_url(make_comment()), {"reason": "spam"}, **HTMX)
        assert CommentReport.objects.count() == 1 and sent_mail() == []


class TestAlreadyReported:
    def test_a_second_report_gets_already_reported_not_a_second_receipt(self, reader, make_comment):
        comment = make_comment()
        reader.post(report_url(comment), {"reason": "spam"}, **HTMX)
        again = reader.post(report_url(comment), {"reason": "abuse"}, **HTMX)
        page = text(again)
        assert again.status_code == 200
        assert "You have already reported this comment." in page and "R-" not in page
        assert CommentReport.objects.count() == 1

    def test_a_second_report_sends_no_second_mail(self, reader, make_comment):
        comment = make_comment()
        reader.post(report_url(comment), NOTICE, **HTMX)
        reader.post(report_url(comment), NOTICE, **HTMX)
        assert len(sent_mail()) == 1

    def test_another_browser_on_the_same_network_is_already_reported(self, client, make_comment):
        comment = make_comment()
        client.post(report_url(comment), {"reason": "spam"}, HTTP_USER_AGENT=f"{READER_UA} A")
        again = client.post(
            report_url(comment), {"reason": "spam"}, follow=True, HTTP_USER_AGENT=f"{READER_UA} B"
        )
        assert "You have already reported this comment." in text(again)
        assert CommentReport.objects.count() == 1

    def test_without_js_already_reported_is_said_on_the_article_page(self, reader, make_comment):
        comment = make_comment()
        reader.post(report_url(comment), {"reason": "spam"})
        again = reader.post(report_url(comment), {"reason": "spam"}, follow=True)
        assert "You have already reported this comment." in text(again)
        assert again.redirect_chain[-1][0].endswith(f"#comment-{comment.pk}")


class TestReportRulesStayTheSame:
    def test_reports_up_to_the_threshold_hide_the_comment(
        self, client, make_comment, discussion_settings
    ):
        discussion_settings(report_threshold=2)
        comment = make_comment()
        for number in (1, 2):
            client.post(
                report_url(comment),
                {"reason": "abuse"},
                REMOTE_ADDR=f"198.51.100.{number}",
                HTTP_USER_AGENT=READER_UA,
            )
        comment.refresh_from_db()
        assert (comment.status, comment.report_count) == ("pending", 2)

    def test_a_hidden_comment_cannot_be_reported(self, reader, make_comment):
        hidden = make_comment(status="pending")
        assert reader.get(report_url(hidden)).status_code == 404
        assert reader.post(report_url(hidden), {"reason": "spam"}).status_code == 404
