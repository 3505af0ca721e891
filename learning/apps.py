from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Learning from cases")

    def ready(self) -> None:
        from django.db.models import Q

        from core.scoping import ScopeRule, register

        from . import audit
        from .models import (
            CaseReview,
            CorrectiveAction,
            LessonReceipt,
            LibraryCase,
            ReflectionReport,
            RequiredReading,
            RootCauseCategory,
        )
        from .models import Lesson as LessonModel

        def region_reads(regions: frozenset[int]) -> Q:
            return Q(dealer__region_id__in=sorted(regions))

        for model in (CaseReview, CorrectiveAction, ReflectionReport, LibraryCase):
            register(model, ScopeRule("dealer_id", regional=region_reads))
        register(RootCauseCategory, ScopeRule("dealer_id", regional=region_reads))
        register(RequiredReading, ScopeRule("dealer_id"))
        register(LessonReceipt, ScopeRule("dealer_id"))
        # A regional lesson belongs to no one dealer: its region's staff read it.
        register(
            LessonModel,
            ScopeRule(
                "dealer_id",
                regional=lambda regions: (
                    Q(region_id__in=sorted(regions)) | Q(dealer__region_id__in=sorted(regions))
                ),
            ),
        )
        audit.register()
        from complaints.choices import EventKind
        from complaints.timeline import register_event_text

        from .timeline import learning_event_text

        register_event_text(EventKind.LEARNING, learning_event_text)
