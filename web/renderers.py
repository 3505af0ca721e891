"""How form widgets are drawn.

Django's own widget and form templates (`django/forms/...`) are rendered from their Jinja2
versions, which Django ships beside the Django-template ones with the same output: a case
page draws some thirty widgets, and Jinja2 draws them in about a third of the time. Every
other widget template (the project's, the admin's) stays in the Django template language;
the admin's include Django's widget templates, and find them there as before."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2

_DJANGO_FORMS = "django/forms/"


class FormRenderer(BaseRenderer):
    def __init__(self) -> None:
        self._jinja2 = Jinja2()
        self._django = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        if template_name.startswith(_DJANGO_FORMS):
            return self._jinja2.get_template(template_name)
        return self._django.get_template(template_name)
