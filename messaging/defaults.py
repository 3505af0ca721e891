"""The messages every dealer starts with, in both languages; a dealer's own template
(MessageTemplate) replaces one. Wording follows the seeds: concrete, no vague promises
(“我们会在……小时内”), an apology where the customer waits longer than promised."""

from __future__ import annotations

from .choices import MessageLanguage, MessagePurpose

P = MessagePurpose
ZH = MessageLanguage.ZH_HANS
EN = MessageLanguage.EN

# (purpose, language) -> (e-mail subject, text)
DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    (P.RECEIVED, ZH): (
        "您的投诉已受理（{reference}）",
        "{customer}您好，{dealer}已于{received}受理您的投诉（编号{reference}）。"
        "我们会认真处理，并至少每{update_hours}小时向您通报一次进展。",
    ),
    (P.RECEIVED, EN): (
        "We have received your complaint ({reference})",
        "Dear {customer}, {dealer} received your complaint on {received} (reference "
        "{reference}). We will look into it and tell you how it goes at least every "
        "{update_hours} hours.",
    ),
    (P.PROGRESS, ZH): (
        "处理进展通报（{reference}）",
        "{customer}您好，您的投诉（编号{reference}）目前处于“{step}”阶段，由{advisor}负责。"
        "我们会在{update_hours}小时内再次向您通报进展。",
    ),
    (P.PROGRESS, EN): (
        "How your complaint is going ({reference})",
        "Dear {customer}, your complaint (reference {reference}) is now at the step "
        "“{step}”, looked after by {advisor}. We will update you again within "
        "{update_hours} hours.",
    ),
    (P.REPAIR_DATE_CHANGED, ZH): (
        "维修完成时间调整（{reference}）",
        "{customer}您好，您的车辆（{vehicle}）预计完工时间调整为{repair_date}。"
        "给您带来不便，深表歉意。如有疑问请联系{advisor}。（编号{reference}）",
    ),
    (P.REPAIR_DATE_CHANGED, EN): (
        "New repair completion date ({reference})",
        "Dear {customer}, the repair of your vehicle ({vehicle}) will now be completed by "
        "{repair_date}. We apologise for the inconvenience. {advisor} will answer any "
        "question. (Reference {reference})",
    ),
    (P.READY_FOR_PICKUP, ZH): (
        "您的车辆可以取车了（{reference}）",
        "{customer}您好，您的车辆（{vehicle}）已处理完毕，可随时到{dealer}取车。"
        "感谢您的耐心等待。（编号{reference}）",
    ),
    (P.READY_FOR_PICKUP, EN): (
        "Your vehicle is ready ({reference})",
        "Dear {customer}, your vehicle ({vehicle}) is ready: you can pick it up at {dealer} "
        "at any time. Thank you for your patience. (Reference {reference})",
    ),
    (P.FOLLOW_UP, ZH): (
        "回访：问题是否已解决？（{reference}）",
        "{customer}您好，感谢您对{dealer}的信任。您反映的问题（编号{reference}）是否已经解决？"
        "如仍有不满意之处，请联系{advisor}，我们将再次为您处理。",
    ),
    (P.FOLLOW_UP, EN): (
        "Is everything resolved? ({reference})",
        "Dear {customer}, thank you for your trust in {dealer}. Is the problem you reported "
        "(reference {reference}) resolved? If anything still bothers you, please contact "
        "{advisor} and we will take care of it again.",
    ),
}
