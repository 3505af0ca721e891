"""HTML pages of the case work: thin views over complaints.services and selectors, one
module per use: the cases list, intake, the case page, the managers' pages, the header."""

from .case_page import (
    case_form_action,
    complaint_detail,
    complaint_escalate,
    complaint_note,
    complaint_reassign,
    complaint_supplier,
    complaint_transition,
    render_case,
)
from .cases import home
from .common import case_or_404, case_url
from .header import set_language, switch_dealer
from .intake import complaint_new
from .manager import approval_queue, audit_log, dealer_overview
from .receipt import complaint_receipt

__all__ = [
    "approval_queue",
    "audit_log",
    "case_form_action",
    "case_or_404",
    "case_url",
    "complaint_detail",
    "complaint_escalate",
    "complaint_new",
    "complaint_note",
    "complaint_receipt",
    "complaint_reassign",
    "complaint_supplier",
    "complaint_transition",
    "dealer_overview",
    "home",
    "render_case",
    "set_language",
    "switch_dealer",
]
