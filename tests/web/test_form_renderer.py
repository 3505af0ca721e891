"""Django's widgets are drawn from their Jinja2 templates (web.renderers.FormRenderer), the
project's and the admin's from the Django template language; the pages read the same."""

from __future__ import annotations

import re

import pytest
from django.forms.renderers import DjangoTemplates
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template
from django.test import override_settings

from complaints.choices import State
from web.renderers import FormRenderer

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"|(data-now=")[^"]*"')


def comparable(html: str) -> str:
    """The page without its per-request values (CSRF token, the clock) and with whitespace
    between tags and runs of whitespace made equal: Jinja2 drops some newlines the Django
    template language keeps, which a browser does not show."""
    html = TOKEN.sub(lambda match: (match.group(1) or match.group(2)) + '"', html)
    html = re.sub(r">\s+<", "><", html)
    return re.sub(r"\s+", " ", html)


def test_django_widgets_come_from_jinja2_and_the_others_from_django_templates():
    renderer = FormRenderer()

    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), Jinja2Template)
    assert isinstance(renderer.get_template("django/forms/div.html"), Jinja2Template)
    assert isinstance(renderer.get_template("complaints/widgets/text_list.html"), DjangoTemplate)
    assert isinstance(renderer.get_template("admin/widgets/split_datetime.html"), DjangoTemplate)


@pytest.mark.parametrize(
    ("state", "who"),
    [
        (State.RECEIVED, "advisor"),
        (State.ASSESSING, "advisor"),
        (State.AWAITING_APPROVAL, "manager"),
        (State.RESOLVING, "advisor"),
        (State.FOLLOWING_UP, "advisor"),
        (State.REVIEWING, "manager"),
    ],
)
def test_the_case_page_reads_as_with_django_templates(client, alice, make_complaint, state, who):
    complaint = make_complaint(alice, state=state)
    client.force_login(getattr(alice, who))
    url = f"/cases/{complaint.reference}/"

    ours = client.get(url)
    with override_settings(FORM_RENDERER="django.forms.renderers.DjangoTemplates"):
        django = client.get(url)

    assert ours.status_code == django.status_code == 200
    assert "<select" in django.content.decode()
    assert comparable(ours.content.decode()) == comparable(django.content.decode())


def test_the_intake_page_reads_as_with_django_templates(client, alice):
    client.force_login(alice.advisor)

    ours = client.get("/cases/new/")
    with override_settings(FORM_RENDERER="django.forms.renderers.DjangoTemplates"):
        django = client.get("/cases/new/")

    assert comparable(ours.content.decode()) == comparable(django.content.decode())


def test_the_default_renderer_is_not_this_one_under_the_override():
    # The comparison above means something only if the override reaches the forms.
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
    with override_settings(FORM_RENDERER="django.forms.renderers.DjangoTemplates"):
        assert isinstance(get_default_renderer(), DjangoTemplates)
