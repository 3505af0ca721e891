"""The demo's content, as data: regions, dealers, staff, customers, vehicles and cases.

`seed_demo` turns these specs into rows through the services. The cases retell the stories
of the training material in their own words: the insurance repair promised in four days
(服务理念提升, 002), the key cap and the charger adapter (投诉处理案例分析, 001), and a brake
noise that is a safety matter. Everything else is the everyday mix of a service reception.

A case spec names its customer by DMS id and its vehicle by plate; its `path` lists the
transitions it goes through, in order. An entry is a transition name, or a pair
(name, overrides) when a transition repeats with other data, or ("note", {"comment": …})
for a note on the timeline, or ("contact", {"outcome": …}) for a follow-up contact with
the customer. Payloads come from the spec: `summary`, `findings`, `decision`, `action`,
`follow_up`, `review`, `reject_reason`, `reopen_reason`, `withdraw_reason`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

# --- who ---------------------------------------------------------------------------------

REGIONS = [
    {"code": "EAST", "name": "华东"},
    {"code": "SOUTH", "name": "华南"},
]

DEALERS = [
    {
        "code": "SH01",
        "name": "上海浦东丰田",
        "region": "EAST",
        "timezone": "Asia/Shanghai",
        "currency": "CNY",
        "approval_limit": Decimal("2000.00"),
    },
    {
        "code": "GZ02",
        "name": "广州天河丰田",
        "region": "SOUTH",
        "timezone": "Asia/Shanghai",
        "currency": "CNY",
        "approval_limit": Decimal("3000.00"),
    },
]

STAFF_PASSWORD = "demo1234"  # noqa: S105 - a published demo password
ADMIN_PASSWORD = "admin1234"  # noqa: S105 - a published demo password

# `as` is the name a case spec uses for the user at its dealer (advisor, manager, manager2).
USERS: list[dict[str, Any]] = [
    {
        "username": "advisor_sh",
        "first_name": "李娜",
        "email": "advisor_sh@example.com",
        "language": "zh-hans",
        "role": "advisor",
        "dealer": "SH01",
        "as": "advisor",
    },
    {
        "username": "manager_sh",
        "first_name": "张伟",
        "email": "manager_sh@example.com",
        "language": "zh-hans",
        "role": "manager",
        "dealer": "SH01",
        "as": "manager",
    },
    {
        "username": "manager2_sh",
        "first_name": "Chen Jing",
        "email": "manager2_sh@example.com",
        "language": "en",
        "role": "manager",
        "dealer": "SH01",
        "as": "manager2",
    },
    {
        "username": "advisor_gz",
        "first_name": "黄磊",
        "email": "advisor_gz@example.com",
        "language": "zh-hans",
        "role": "advisor",
        "dealer": "GZ02",
        "as": "advisor",
    },
    {
        "username": "manager_gz",
        "first_name": "刘洋",
        "email": "manager_gz@example.com",
        "language": "",
        "role": "manager",
        "dealer": "GZ02",
        "as": "manager",
    },
    {
        "username": "regional_east",
        "first_name": "周敏",
        "email": "regional_east@example.com",
        "language": "zh-hans",
        "role": "regional",
        "region": "EAST",
    },
    {
        "username": "regional_south",
        "first_name": "吴强",
        "email": "regional_south@example.com",
        "language": "",
        "role": "regional",
        "region": "SOUTH",
    },
    {
        "username": "admin",
        "first_name": "",
        "email": "admin@example.com",
        "language": "",
        "role": "superuser",
    },
]

# --- customers, vehicles, repair orders --------------------------------------------------


def vehicle(
    plate: str,
    vin_prefix: str,
    vin_suffix: str,
    model: str,
    purchased: date,
    mileage: int,
    repair_orders: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A vehicle spec; the VIN's check digit (position 9) is computed when seeding."""
    return {
        "plate": plate,
        "vin_prefix": vin_prefix,
        "vin_suffix": vin_suffix,
        "model": model,
        "purchase_date": purchased,
        "mileage": mileage,
        "warranty_end": purchased.replace(year=purchased.year + 3),
        "repair_orders": repair_orders or [],
    }


def repair_order(number: str, opened_on: date, mileage: int, work_summary: str) -> dict[str, Any]:
    return {
        "number": number,
        "opened_on": opened_on,
        "mileage": mileage,
        "work_summary": work_summary,
    }


CUSTOMERS: list[dict[str, Any]] = [
    # --- SH01 上海浦东丰田 ---
    {
        "dealer": "SH01",
        "dms_id": "SH-C1001",
        "name": "王建国",
        "phone": "13801761001",
        "email": "wang.jianguo@example.com",
        "preferred_channel": "phone",
        "occupation": "外贸公司业务经理",
        "family": "已婚，女儿上小学，每天接送",
        "interests": "钓鱼、自驾游",
        "other_vehicles": "无",
        "insurance": "平安车险（全险），本次保险理赔",
        "usage_and_storage": "上下班通勤，周末郊游；小区地下车库",
        "notes": "时间观念强，误了约定会非常不满；希望有进度主动通知",
        "vehicles": [
            vehicle(
                "沪A5K218",
                "LFMAP22C",
                "NG104218",
                "凯美瑞 2.5G",
                date(2022, 6, 18),
                41200,
                [
                    repair_order(
                        "SH01-RO-2510-0188",
                        date(2025, 10, 9),
                        36800,
                        "4万公里保养：机油、机滤、空调滤芯",
                    ),
                    repair_order(
                        "SH01-RO-2611-0342",
                        date(2026, 11, 10),
                        41200,
                        "保险事故：右前翼子板钣金喷漆、更换右前大灯",
                    ),
                ],
            )
        ],
    },
    {
        "dealer": "SH01",
        "dms_id": "SH-C1002",
        "name": "李秀英",
        "phone": "13801761002",
        "email": "li.xiuying@example.com",
        "preferred_channel": "wechat",
        "occupation": "小学教师",
        "family": "已婚，一个儿子读初中",
        "interests": "书法",
        "other_vehicles": "家里另有一辆电动自行车",
        "insurance": "人保车险",
        "usage_and_storage": "每天开车上班约10公里；单位露天停车场",
        "notes": "新车车主，第一次来店；用车非常爱惜",
        "vehicles": [
            vehicle("沪B7Q305", "LFMKN5BF", "SG210305", "卡罗拉 1.5L", date(2026, 9, 2), 2100)
        ],
    },
    {
        "dealer": "SH01",
        "dms_id": "SH-C1003",
        "name": "陈志强",
        "phone": "13801761003",
        "email": "chen.zhiqiang@example.com",
        "preferred_channel": "email",
        "occupation": "软件工程师",
        "family": "已婚，暂无子女",
        "interests": "数码产品、露营",
        "other_vehicles": "无",
        "insurance": "太平洋车险",
        "usage_and_storage": "小区无固定车位，主要用随车充电器在公司停车场充电",
        "notes": "习惯用邮件沟通，会仔细看维修单",
        "vehicles": [
            vehicle(
                "沪AD36512",
                "LFMAE12D",
                "RG036512",
                "bZ4X 长续航版",
                date(2024, 3, 15),
                27600,
                [
                    repair_order(
                        "SH01-RO-2608-0077",
                        date(2026, 8, 20),
                        25100,
                        "中控屏偶发黑屏：升级多媒体系统软件",
                    ),
                    repair_order(
                        "SH01-RO-2610-0415",
                        date(2026, 10, 28),
                        27300,
                        "无法充电：升级车载充电机软件，试充正常（未检测随车充电器）",
                    ),
                    repair_order(
                        "SH01-RO-2611-0120",
                        date(2026, 11, 6),
                        27600,
                        "无法充电复修：检测随车充电器适配器故障，更换",
                    ),
                ],
            )
        ],
    },
    {
        "dealer": "SH01",
        "dms_id": "SH-C1004",
        "name": "赵丽",
        "phone": "13801761004",
        "email": "zhao.li@example.com",
        "preferred_channel": "phone",
        "occupation": "医院护士长，常倒班",
        "family": "已婚，两个孩子（6岁、3岁），经常全家出行",
        "interests": "亲子活动",
        "other_vehicles": "丈夫开一辆大众帕萨特",
        "insurance": "平安车险（全险）",
        "usage_and_storage": "接送孩子、夜班通勤；小区地面车位",
        "notes": "对安全问题非常敏感；只能下班后接电话",
        "vehicles": [
            vehicle(
                "沪C2M770",
                "LFMGJ7AH",
                "PG118770",
                "汉兰达 2.0T",
                date(2023, 4, 22),
                52800,
                [
                    repair_order(
                        "SH01-RO-2607-0233",
                        date(2026, 7, 12),
                        46900,
                        "刹车异响：更换前刹车片",
                    ),
                    repair_order(
                        "SH01-RO-2611-0298",
                        date(2026, 11, 14),
                        52800,
                        "5万公里保养；前制动盘打磨",
                    ),
                ],
            )
        ],
    },
    {
        "dealer": "SH01",
        "dms_id": "SH-C1005",
        "name": "孙浩",
        "phone": "13801761005",
        "email": "sun.hao@example.com",
        "preferred_channel": "phone",
        "occupation": "个体户（餐饮店老板）",
        "vehicles": [
            vehicle("沪D8H126", "LFMBA3BR", "LG092126", "亚洲龙 2.0L", date(2020, 11, 5), 98500)
        ],
    },
    {
        "dealer": "SH01",
        "dms_id": "SH-C1006",
        "name": "周婷",
        "phone": "13801761006",
        "email": "zhou.ting@example.com",
        "preferred_channel": "sms",
        "vehicles": [
            vehicle("沪E3P981", "LFMCB8CF", "NG301981", "雷凌 1.8L 双擎", date(2022, 1, 8), 60400)
        ],
    },
    {
        "dealer": "SH01",
        "dms_id": "SH-C1007",
        "name": "吴磊",
        "phone": "13801761007",
        "email": "wu.lei@example.com",
        "preferred_channel": "email",
        "occupation": "物流公司车队主管",
        "family": "",
        "other_vehicles": "公司车队另有12辆轻型货车",
        "insurance": "公司统一投保",
        "usage_and_storage": "公司商务用车，每天长途往返苏州、杭州；公司院内停放",
        "notes": "两辆车都在本店保养；车辆停驶直接影响公司业务",
        "vehicles": [
            vehicle("沪F1A552", "LFMGJ7AH", "NG077552", "赛那 2.5L", date(2022, 8, 30), 131000),
            vehicle("沪F1A553", "LFMGJ7AH", "NG077553", "赛那 2.5L", date(2022, 8, 30), 126400),
        ],
    },
    {
        "dealer": "SH01",
        "dms_id": "SH-C1008",
        "name": "郑洁",
        "phone": "13801761008",
        "email": "zheng.jie@example.com",
        "preferred_channel": "phone",
        "vehicles": [
            vehicle("沪A9T664", "LFMAP22C", "PG215664", "凯美瑞 2.0S", date(2023, 12, 1), 18900)
        ],
    },
    # --- GZ02 广州天河丰田 ---
    {
        "dealer": "GZ02",
        "dms_id": "GZ-C2001",
        "name": "黄志明",
        "phone": "13902402001",
        "email": "huang.zhiming@example.com",
        "preferred_channel": "phone",
        "occupation": "出租车司机（自有车辆）",
        "family": "已婚，妻子在家照顾老人",
        "interests": "",
        "other_vehicles": "无",
        "insurance": "大地车险",
        "usage_and_storage": "每天运营十多个小时，怠速时间长；夜间停在路边",
        "notes": "车辆是收入来源，停运一天损失约600元",
        "vehicles": [
            vehicle(
                "粤A3C907",
                "LVGBE40K",
                "MG650907",
                "卡罗拉 1.2T",
                date(2021, 5, 20),
                187300,
                [
                    repair_order(
                        "GZ02-RO-2610-0051",
                        date(2026, 10, 15),
                        184900,
                        "怠速熄火：清洗节气门（未做进一步检测）",
                    )
                ],
            )
        ],
    },
    {
        "dealer": "GZ02",
        "dms_id": "GZ-C2002",
        "name": "林小燕",
        "phone": "13902402002",
        "email": "lin.xiaoyan@example.com",
        "preferred_channel": "wechat",
        "occupation": "会计",
        "family": "未婚",
        "interests": "烘焙",
        "insurance": "平安车险",
        "usage_and_storage": "周末使用为主；公司地下车库",
        "notes": "看账单很仔细",
        "vehicles": [
            vehicle("粤A6L218", "LVGDE52F", "NG711218", "威兰达 2.0L", date(2022, 9, 9), 33100)
        ],
    },
    {
        "dealer": "GZ02",
        "dms_id": "GZ-C2003",
        "name": "何伟",
        "phone": "13902402003",
        "email": "he.wei@example.com",
        "preferred_channel": "phone",
        "vehicles": [
            vehicle("粤B5N630", "LVGEC16E", "PG402630", "RAV4荣放 2.0L", date(2023, 2, 11), 44700)
        ],
    },
    {
        "dealer": "GZ02",
        "dms_id": "GZ-C2004",
        "name": "梁静",
        "phone": "13902402004",
        "email": "liang.jing@example.com",
        "preferred_channel": "email",
        "occupation": "自媒体博主（汽车生活类，粉丝约20万）",
        "notes": "曾在社交媒体发布用车体验",
        "vehicles": [
            vehicle("粤A8R046", "LVGBE40K", "RG503046", "凯美瑞 2.0G", date(2024, 6, 28), 21500)
        ],
    },
    {
        "dealer": "GZ02",
        "dms_id": "GZ-C2005",
        "name": "罗斌",
        "phone": "13902402005",
        "email": "luo.bin@example.com",
        "preferred_channel": "phone",
        "vehicles": [
            vehicle(
                "粤A2F391", "LVGDE52F", "LG118391", "汉兰达 2.5L 双擎", date(2020, 7, 3), 112000
            )
        ],
    },
    {
        "dealer": "GZ02",
        "dms_id": "GZ-C2006",
        "name": "谢芳",
        "phone": "13902402006",
        "email": "xie.fang@example.com",
        "preferred_channel": "phone",
        "occupation": "销售代表，经常跑高速",
        "usage_and_storage": "每周高速行驶约800公里",
        "vehicles": [
            vehicle("粤A4G775", "LVGEC16E", "SG090775", "卡罗拉 1.5L", date(2025, 4, 16), 48800)
        ],
    },
    {
        "dealer": "GZ02",
        "dms_id": "GZ-C2007",
        "name": "冯刚",
        "phone": "13902402007",
        "email": "feng.gang@example.com",
        "preferred_channel": "phone",
        "vehicles": [
            vehicle("粤A7W112", "LVGBE40K", "NG612112", "雷凌 1.5L", date(2022, 3, 12), 70900)
        ],
    },
]

# --- cases -------------------------------------------------------------------------------

# Step 6 turns on what the customer said in a logged follow-up contact (its note is the
# spec's `follow_up`, or `reopen_reason` for a customer still dissatisfied).
SATISFIED = ("contact", {"outcome": "satisfied"})
DISSATISFIED = ("contact", {"outcome": "dissatisfied"})

LISTENING = ["start_listening"]
INVESTIGATING = [*LISTENING, "start_investigation"]
ASSESSING = [*INVESTIGATING, "record_findings"]
RESOLVING = [*ASSESSING, "decide"]
FOLLOWING_UP = [*RESOLVING, "complete_action"]
REVIEWING = [*FOLLOWING_UP, SATISFIED, "confirm_resolved"]
CLOSED = [*REVIEWING, "close"]


def approved(path: list[Any]) -> list[Any]:
    """The same path, but the decision goes to a manager for approval first."""
    result: list[Any] = []
    for step in path:
        result.extend(["submit_for_approval", "approve"] if step == "decide" else [step])
    return result


AWAITING_APPROVAL = [*ASSESSING, "submit_for_approval"]


def findings(fault_finding: str, root_cause: str) -> dict[str, str]:
    return {"fault_finding": fault_finding, "root_cause": root_cause}


def decision(
    responsibility: str,
    reason: str,
    options: list[str],
    *,
    chosen: int = 0,
    severity: str = "normal",
    serious: tuple[str, ...] = (),
    amount: str = "0",
    evidence: str = "",
) -> dict[str, Any]:
    return {
        "severity": severity,
        "serious_reasons": list(serious),
        "responsibility": responsibility,
        "responsibility_reason": reason,
        "responsibility_evidence": evidence,
        "resolution_options": options,
        "chosen_resolution": options[chosen],
        "compensation_amount": amount,
    }


def action(agreed_resolution: str, actions_taken: str) -> dict[str, str]:
    return {"agreed_resolution": agreed_resolution, "actions_taken": actions_taken}


def review(why: str, handling: str, prevention: str) -> dict[str, str]:
    return {"review_why": why, "review_handling": handling, "review_prevention": prevention}


CASES: list[dict[str, Any]] = [
    # ===== the stories of the training material ============================================
    {
        "key": "insurance-repair-delay",
        "customer": "SH-C1001",
        "vehicle": "沪A5K218",
        "channel": "phone",
        "category": "insurance_claim",
        "component": "body_paint",
        "description": (
            "10号来店办理保险理赔，理赔顾问说4天后可以取车。14号我打电话问车修好没有，"
            "理赔顾问半天说不清几时能取车，说半小时后给我回电，结果没有回。中午我再打过去，"
            "说下午3点可以取车。我下午3点准时到店，服务顾问又说要等到下班才能取车，"
            "我自己去车间一看，车刚刚喷完漆。"
        ),
        "customer_request": "给个说法；报销这几天来回打车的费用和误工费。",
        "findings": findings(
            "fault",
            "钣金喷漆工位排期未跟踪，交车时间由理赔顾问凭经验承诺；"
            "延误后没有提前告知客户，半小时回电的承诺无人跟进。",
        ),
        "decision": decision(
            "dealer",
            "insufficient_explanation",
            [
                "报销打车费和误工费（凭票据，共2600元），当天交车并免费精洗",
                "报销打车费，赠送两次免费保养",
                "赠送价值2000元的保养套餐",
            ],
            amount="2600.00",
        ),
        "action": action(
            "报销打车费和误工费2600元；当晚交车前由车间主管陪同验车，免费精洗。",
            "服务经理当面道歉；财务当天转账；交车时讲解喷漆部位的养护注意事项。",
        ),
        "follow_up": "3天后电话回访：客户对漆面和处理结果满意。",
        "review": review(
            "对客户的每一个承诺（4天交车、半小时回电、下午3点取车）都没有人跟踪；"
            "延误时没有提前主动联系客户，客户的失望一次次累积。",
            "最初处理被动，升级到服务经理后当天解决；赔偿标准合理，客户接受。",
            "每个交车时间和回电承诺都登记在案件里并设提醒；预计延误时提前联系客户并给出"
            "中间进度；理赔车辆每天下午4点核对一次工位进度。",
        ),
        "path": [
            "start_listening",
            ("note", {"comment": "14日 10:05 客户来电询问进度，答应半小时内回电（未兑现）。"}),
            ("note", {"comment": "14日 12:10 客户再次来电，答复下午3点可取车。"}),
            *approved(CLOSED)[1:],
        ],
    },
    {
        "key": "key-fob-cap",
        "customer": "SH-C1002",
        "vehicle": "沪B7Q305",
        "channel": "walk_in",
        "category": "attitude",
        "component": "other",
        "description": (
            "智能钥匙上的按键帽掉了，接待看了一眼就说是人为损坏，不在保修范围。"
            "车刚买两个月，我用得非常小心，绝不可能是我弄坏的，这就是质量问题，必须保修。"
        ),
        "customer_request": "按质量问题免费处理。",
        "findings": findings(
            "no_fault",
            "技师仔细查看：按键帽没有损坏，只是卡扣脱出；当场装回复位，功能正常。"
            "接待没有仔细询问和检查就先下了结论，客户难以接受。",
        ),
        "decision": decision(
            "dealer",
            "insufficient_explanation",
            ["当场免费复位按键帽并检查钥匙电池", "免费更换钥匙外壳"],
        ),
        "action": action(
            "当场免费复位按键帽，检查钥匙电池电量正常。",
            "接待主管向客户道歉；技师演示按键帽的安装方式。",
        ),
        "follow_up": "第二天微信回访：钥匙使用正常，客户满意。",
        "review": review(
            "在没有仔细询问和观察之前就先下结论（“人为损坏，不保修”），让客户很难接受。",
            "技师检查后立即解决，客户情绪平复；但第一句话已经伤害了客户。",
            "1. 进门先把问题了解清楚，再给客户下结论；2. 能力所及、不花很多时间的问题，"
            "先替客户解决；3. 每位接待学会换位思考——写入新员工培训教材。",
        ),
        "path": CLOSED,
    },
    {
        "key": "charger-adapter",
        "customer": "SH-C1003",
        "vehicle": "沪AD36512",
        "channel": "email",
        "category": "workmanship",
        "component": "electrical",
        "description": (
            "车子偶尔黑屏，有时候用随车充电器充不进电。第一次送修，前台（实习生）只收了车，"
            "没留充电器适配器；你们升级了软件说没发现问题。我取车回去还是充不进电，"
            "只好第二次送修，白跑一趟。"
        ),
        "customer_request": "一次修好；解释为什么第一次没查出来。",
        "findings": findings(
            "fault",
            "随车充电器的适配器故障。第一次接车时没有留下适配器，检测只针对车辆本身，"
            "无法复现客户描述的现象。",
        ),
        "decision": decision(
            "dealer",
            "misdiagnosis",
            ["免费更换适配器，赠送一次上门取送车服务", "免费更换适配器并延长充电器保修一年"],
        ),
        "action": action(
            "免费更换适配器；下次保养提供上门取送车。",
            "第二次接车时留下车辆和适配器一起检测；更换后当场试充30分钟正常。",
        ),
        "follow_up": "一周后邮件回访：充电正常，客户满意。",
        "path": REVIEWING,
    },
    {
        "key": "brake-noise-safety",
        "customer": "SH-C1004",
        "vehicle": "沪C2M770",
        "channel": "phone",
        "category": "workmanship",
        "component": "brakes",
        "description": (
            "上周在你们店做完保养，刹车时前轮就有尖锐的金属摩擦声，踩下去感觉发软。"
            "昨天带孩子出门差点追尾，孩子吓坏了。"
        ),
        "customer_request": "马上彻底检查刹车；书面说明原因；保证以后不再出现。",
        "findings": findings(
            "fault",
            "左前刹车片防尖叫片漏装，左前卡钳导向销缺少润滑，制动盘有划痕；制动液含水量超标。",
        ),
        "decision": decision(
            "dealer",
            "faulty_repair",
            [
                "免费更换前刹车片、制动盘和制动液，全车制动系统检查，提供代步车",
                "免费更换前刹车片和制动液，赠送一次保养",
            ],
            severity="serious",
            serious=("safety_function",),
            amount="800.00",
        ),
        "path": AWAITING_APPROVAL,
    },
    # ===== repeat complaints ================================================================
    {
        "customer": "SH-C1004",
        "vehicle": "沪C2M770",
        "channel": "walk_in",
        "category": "product_quality",
        "component": "brakes",
        "description": "倒车和低速刹车时前面“吱吱”响，停车场里特别明显。",
        "customer_request": "查清原因，免费处理。",
        "findings": findings("fault", "前刹车片磨损至极限，磨损指示片接触制动盘。"),
        "decision": decision(
            "customer",
            "no_maintenance",
            ["按保养价格更换前刹车片，工时费减免", "按原价更换前刹车片"],
            evidence="保养记录显示上次制动系统检查在3万公里，之后两次保养提醒客户均未到店。",
        ),
        "action": action("工时费减免，更换前刹车片。", "更换前刹车片，试车无异响。"),
        "follow_up": "3天后回访：异响消除，客户满意。",
        "review": review(
            "客户不清楚刹车片是易损件，之前的保养提醒也没有讲清楚后果。",
            "有维修记录作证据，客户接受责任划分；减免工时费后满意。",
            "保养提醒里写明制动系统检查项目和不检查的风险。",
        ),
        "path": CLOSED,
    },
    {
        "customer": "SH-C1003",
        "vehicle": "沪AD36512",
        "channel": "web",
        "category": "product_quality",
        "component": "infotainment",
        "description": "中控屏开车时偶尔黑屏十几秒，导航和倒车影像都看不到。",
        "customer_request": "彻底解决，不要每次都只是升级软件。",
        "findings": findings("fault", "多媒体主机软件版本过旧，已知问题，厂家发布了升级包。"),
        "decision": decision(
            "manufacturer",
            "product_defect",
            ["免费升级多媒体系统软件", "更换多媒体主机"],
        ),
        "action": action("免费升级软件。", "升级至最新版本，路试40分钟未复现黑屏。"),
        "follow_up": "3天后邮件回访：没有再黑屏，客户满意。",
        "review": review(
            "厂家已知问题，但首次到店时没有主动告知客户升级计划。",
            "一次处理到位。",
            "收到厂家技术通报后，主动通知受影响车辆的车主预约升级。",
        ),
        "path": CLOSED,
    },
    {
        "customer": "SH-C1007",
        "vehicle": "沪F1A552",
        "channel": "email",
        "category": "product_quality",
        "component": "transmission",
        "description": "一号车低速换挡时有明显顿挫，尤其是堵车走走停停的时候。",
        "customer_request": "尽快检查，车辆每天都要用，不能长时间停驶。",
        "summary": "沪F1A552 低速（20公里/小时以下）升挡顿挫，冷车更明显；客户要求快速处理。",
        "path": INVESTIGATING,
    },
    {
        "customer": "SH-C1007",
        "vehicle": "沪F1A553",
        "channel": "email",
        "category": "waiting_time",
        "component": "none",
        "description": "二号车做保养说好当天下午取车，结果拖到第二天，司机白等了一下午。",
        "customer_request": "以后公司车辆保养要按时；这次的延误给个说法。",
        "findings": findings("fault", "配件（空调滤芯）缺货未提前确认，当天下午才发现。"),
        "decision": decision(
            "dealer",
            "insufficient_explanation",
            ["下次保养工时费全免", "赠送一次精洗"],
        ),
        "action": action("下次保养工时费全免。", "与客户约定车队保养提前两天确认配件。"),
        "path": FOLLOWING_UP,
    },
    {
        "customer": "GZ-C2001",
        "vehicle": "粤A3C907",
        "channel": "walk_in",
        "category": "workmanship",
        "component": "engine",
        "description": (
            "发动机怠速时容易熄火。上次来店，师傅没检查就说“肯定是节气门脏了”，"
            "清洗了节气门收了我三百多，结果开了两天还是熄火。我靠这辆车跑出租，停一天就少一天收入。"
        ),
        "customer_request": "按维修手册认真检查，一次修好；上次的清洗费退给我。",
        "summary": "怠速熄火复修：上次只清洗节气门未做检测，故障仍在；客户要求退清洗费并彻底检查。",
        "path": INVESTIGATING,
    },
    {
        "customer": "GZ-C2001",
        "vehicle": "粤A3C907",
        "channel": "phone",
        "category": "billing",
        "component": "none",
        "description": "上次维修结算单上有一项“燃油系统清洗”，我根本没同意做。",
        "customer_request": "退掉这项费用。",
        "findings": findings("fault", "维修委托书上没有客户签字确认这一项，属于擅自增项。"),
        "decision": decision(
            "dealer",
            "insufficient_explanation",
            ["全额退还燃油系统清洗费用并道歉", "退还费用并赠送一次洗车"],
            chosen=1,
            amount="380.00",
        ),
        "action": action(
            "退还380元并赠送一次洗车。", "财务原路退款；增项必须客户签字的规定重新培训。"
        ),
        "follow_up": "回访：退款已收到，客户满意。",
        "review": review(
            "报价“就高不就低”，增项没有征得客户同意，侵犯了客户的知情权和选择权。",
            "当天退款，处理及时。",
            "所有增项必须在委托书上由客户签字确认；结算前服务顾问逐项讲解。",
        ),
        "path": CLOSED,
    },
    # ===== serious and above the approval limit ==============================================
    {
        "customer": "GZ-C2004",
        "vehicle": "粤A8R046",
        "channel": "social",
        "category": "workmanship",
        "component": "body_paint",
        "description": (
            "在你们店做完钣金喷漆，新漆面两周就起泡了。我已经向12315投诉，如果三天内不解决，"
            "我会在我的账号上发视频曝光。"
        ),
        "customer_request": "整车重新喷漆，赔偿误工损失。",
        "findings": findings("fault", "喷漆前底漆未完全干燥，施工工艺不符合规范。"),
        "decision": decision(
            "dealer",
            "faulty_repair",
            [
                "免费重新喷涂受损部位，提供代步车，赔偿误工费1500元",
                "免费重新喷涂受损部位，赠送全年保养",
                "整车重新喷漆",
            ],
            severity="serious",
            serious=("third_party",),
            amount="1500.00",
        ),
        "path": AWAITING_APPROVAL,
    },
    {
        "customer": "GZ-C2005",
        "vehicle": "粤A2F391",
        "channel": "oem_hotline",
        "category": "product_quality",
        "component": "airbags_restraints",
        "description": "仪表盘上的安全气囊故障灯一直亮着，已经一个多星期了。",
        "customer_request": "尽快查清楚，气囊出了问题是要命的。",
        "findings": findings("fault", "副驾驶座椅下方气囊线束插头松脱，座椅曾被拆装过。"),
        "decision": decision(
            "undetermined",
            "",
            ["免费修复线束插头并做全车安全系统检测", "更换副驾驶气囊线束总成"],
            severity="serious",
            serious=("safety_function",),
        ),
        "path": AWAITING_APPROVAL,
    },
    {
        "customer": "SH-C1008",
        "vehicle": "沪A9T664",
        "channel": "walk_in",
        "category": "workmanship",
        "component": "body_paint",
        "description": "洗车后发现左后车门有一道很长的划痕，来店前还没有。",
        "customer_request": "免费修好，修车期间给我代步车。",
        "findings": findings("fault", "监控显示洗车工使用了未清洗的抹布，划痕由洗车造成。"),
        "decision": decision(
            "dealer",
            "faulty_repair",
            ["免费喷漆修复左后门并提供3天代步车（折合3500元）", "免费喷漆修复，赠送一次保养"],
            amount="3500.00",
        ),
        "path": AWAITING_APPROVAL,
    },
    {
        "customer": "GZ-C2003",
        "vehicle": "粤B5N630",
        "channel": "walk_in",
        "category": "other",
        "component": "body_paint",
        "description": (
            "保养时车间师傅让我自己把车开进工位，结果右前保险杠刮到了立柱。"
            "现在你们说是我自己开的，要我自己出钱修。"
        ),
        "customer_request": "店里承担修理费用。",
        "findings": findings(
            "fault",
            "车间允许客户自行驾车进出工位，违反操作规范；右前保险杠刮伤需要喷漆。",
        ),
        "decision": decision(
            "dealer",
            "insufficient_explanation",
            ["店方承担全部修理费用（4200元），当天修复", "店方承担一半费用"],
            amount="4200.00",
        ),
        "path": AWAITING_APPROVAL,
    },
    # ===== resolving =========================================================================
    {
        "customer": "GZ-C2006",
        "vehicle": "粤A4G775",
        "channel": "phone",
        "category": "product_quality",
        "component": "tires_wheels",
        "description": "高速上开着开着右前轮胎侧面鼓了一个包，吓得我赶紧停在应急车道。",
        "customer_request": "免费换胎，查清是不是轮胎质量问题。",
        "findings": findings(
            "unclear", "轮胎侧壁鼓包，无法确认是制造缺陷还是撞击所致，已送厂家鉴定。"
        ),
        "decision": decision(
            "undetermined",
            "",
            ["先免费更换一条同型号轮胎，厂家鉴定后再定责", "更换前轮两条轮胎，客户承担一半"],
            severity="serious",
            serious=("safety_function",),
            amount="900.00",
        ),
        "path": [
            *approved(RESOLVING),
            ("supplier", {"supplier": "轮胎厂家鉴定中心（广州）", "reason": "旧胎送厂家鉴定定责"}),
        ],
    },
    {
        "key": "reopened-escalated",
        "customer": "SH-C1005",
        "vehicle": "沪D8H126",
        "channel": "walk_in",
        "category": "product_quality",
        "component": "suspension",
        "description": (
            "这车毛病不断，过减速带后面“咯噔”响，在别的店修过好几次都没修好，"
            "这次那边说一定要送到你们这里来。你们丰田的质量怎么这么差？"
        ),
        "customer_request": "这次必须彻底修好，否则要求退换。",
        "findings": findings("fault", "右后减震器顶胶老化开裂。"),
        "decision": decision(
            "manufacturer",
            "product_defect",
            ["保修更换右后减震器顶胶", "更换后减震器总成（两侧）"],
        ),
        "action": action("保修更换右后减震器顶胶。", "更换顶胶，路试过减速带无异响。"),
        "reopen_reason": "回访时客户说过减速带还是有异响，情绪很大，要求经理出面。",
        "path": [*FOLLOWING_UP, DISSATISFIED, "reopen"],
        "co_owner": "manager2",
    },
    {
        "customer": "GZ-C2002",
        "vehicle": "粤A6L218",
        "channel": "web",
        "category": "billing",
        "component": "none",
        "description": "同样的保养项目，这次比上次贵了将近四百块，前台解释不清楚。",
        "customer_request": "列出明细，多收的退给我。",
        "findings": findings("fault", "系统套用了旧的工时单价，计价错误。"),
        "decision": decision(
            "dealer",
            "insufficient_explanation",
            ["退还多收的386元并书面道歉", "退还差价并赠送一次洗车"],
            amount="386.00",
        ),
        "path": RESOLVING,
    },
    {
        "key": "rejected-then-approved",
        "customer": "SH-C1001",
        "vehicle": "沪A5K218",
        "channel": "phone",
        "category": "parts",
        "component": "lighting",
        "description": "保险事故换的右前大灯，晚上照得比左边暗，明显不是原厂件。",
        "customer_request": "换成原厂大灯，赔偿来回跑的费用。",
        "findings": findings("fault", "更换的大灯总成为副厂件，与维修单上写的原厂件不符。"),
        "decision": decision(
            "dealer",
            "faulty_repair",
            ["更换原厂大灯并补偿交通费3000元", "更换原厂大灯并赠送一次保养"],
            amount="3000.00",
        ),
        "reject_reason": "补偿金额缺少依据，请核实客户实际的交通费用再提交。",
        "path": [
            *ASSESSING,
            "submit_for_approval",
            "reject",
            (
                "submit_for_approval",
                {
                    "decision": decision(
                        "dealer",
                        "faulty_repair",
                        [
                            "更换原厂大灯并补偿交通费（凭票2100元）",
                            "更换原厂大灯并赠送一次保养",
                        ],
                        amount="2100.00",
                    )
                },
            ),
            "approve",
        ],
        "actors": {"approve": "manager2"},
    },
    {
        "customer": "SH-C1006",
        "vehicle": "沪E3P981",
        "channel": "phone",
        "category": "waiting_time",
        "component": "hvac",
        "description": "空调不制冷，预约了维修，到店后等了三个小时才有人来看。",
        "customer_request": "尽快修好；以后预约要守时。",
        "findings": findings("fault", "空调系统冷媒泄漏，冷凝器有砂石撞击的漏点。"),
        "decision": decision(
            "customer",
            "improper_use",
            ["按保修外价格更换冷凝器，工时费八折", "维修冷凝器漏点"],
            evidence="冷凝器正面有明显的砂石撞击凹坑，漏点位于撞击处（附照片）。",
        ),
        "path": RESOLVING,
    },
    # ===== following up ======================================================================
    {
        "customer": "SH-C1002",
        "vehicle": "沪B7Q305",
        "channel": "phone",
        "category": "sales",
        "component": "none",
        "description": "买车时销售说送三次免费保养，来做首保时前台说只送一次。",
        "customer_request": "按购车时的承诺兑现。",
        "findings": findings("fault", "购车合同附件写明赠送三次保养，前台查错了客户档案。"),
        "decision": decision(
            "dealer",
            "insufficient_explanation",
            ["按合同兑现三次免费保养并道歉", "兑现三次保养并赠送一次精洗"],
        ),
        "action": action(
            "按合同兑现三次免费保养。", "更正客户档案中的赠送保养次数；前台主管道歉。"
        ),
        "path": FOLLOWING_UP,
    },
    {
        "customer": "GZ-C2007",
        "vehicle": "粤A7W112",
        "channel": "walk_in",
        "category": "attitude",
        "component": "none",
        "description": "问了前台三遍保养要多久，没有人理我，最后还说“你别激动”。",
        "customer_request": "道歉；以后不要这样对待客户。",
        "findings": findings("fault", "高峰时段前台只有一人；接待使用了不当用语。"),
        "decision": decision(
            "dealer",
            "insufficient_explanation",
            ["服务经理当面道歉，赠送一次精洗", "书面道歉"],
        ),
        "action": action(
            "服务经理当面道歉，赠送一次精洗。", "高峰时段增派一名接待；开展禁用语培训。"
        ),
        "path": FOLLOWING_UP,
    },
    {
        "customer": "GZ-C2005",
        "vehicle": "粤A2F391",
        "channel": "phone",
        "category": "parts",
        "component": "lighting",
        "description": "左后尾灯进水起雾，订的尾灯说好三天到，已经等了两个星期。",
        "customer_request": "尽快到货，给个准确时间。",
        "findings": findings("fault", "尾灯密封条老化进水；配件中心缺货，订单未加急。"),
        "decision": decision(
            "dealer",
            "insufficient_explanation",
            ["紧急调货，到货前提供临时修复", "更换其他批次尾灯"],
        ),
        "action": action("从其他经销店紧急调货。", "调货到店当天更换尾灯，检查密封条。"),
        "path": FOLLOWING_UP,
    },
    {
        "customer": "SH-C1008",
        "vehicle": "沪A9T664",
        "channel": "web",
        "category": "waiting_time",
        "component": "none",
        "description": "在App上预约了周六上午10点，到店后前台说没有看到预约，让我等了一个多小时。",
        "customer_request": "查清楚预约为什么没有同步。",
        "findings": findings("fault", "App预约与店内系统的同步故障，周末订单未推送。"),
        "decision": decision(
            "manufacturer",
            "design",
            ["赠送一次免费洗车并致歉", "下次保养优先安排"],
        ),
        "action": action(
            "赠送一次免费洗车。", "反馈厂家修复预约同步问题；每天早上人工核对App预约。"
        ),
        "path": FOLLOWING_UP,
    },
    {
        "key": "reopened-then-done-again",
        "customer": "GZ-C2002",
        "vehicle": "粤A6L218",
        "channel": "phone",
        "category": "workmanship",
        "component": "hvac",
        "description": "空调滤芯换完以后，出风口有一股霉味。",
        "customer_request": "免费处理干净。",
        "findings": findings("fault", "蒸发箱表面发霉，仅更换滤芯不能去除异味。"),
        "decision": decision(
            "dealer",
            "misdiagnosis",
            ["免费清洗蒸发箱", "免费清洗蒸发箱并更换活性炭滤芯"],
        ),
        "action": action("免费清洗蒸发箱。", "清洗蒸发箱，异味减轻。"),
        "reopen_reason": "回访时客户说开空调几天后霉味又出现了。",
        "path": [
            *FOLLOWING_UP,
            DISSATISFIED,
            "reopen",
            (
                "complete_action",
                {
                    "action": action(
                        "免费清洗蒸发箱并更换活性炭滤芯。",
                        "服务经理跟进：再次清洗蒸发箱、更换活性炭滤芯、做空调管路杀菌。",
                    )
                },
            ),
        ],
    },
    # ===== reviewing =========================================================================
    {
        "customer": "GZ-C2006",
        "vehicle": "粤A4G775",
        "channel": "phone",
        "category": "workmanship",
        "component": "steering",
        "description": "做完四轮定位以后方向盘不正，高速上车一直往右跑。",
        "customer_request": "重新做定位，耽误的时间给个说法。",
        "findings": findings("fault", "定位后方向盘未回正，前束调整超出标准。"),
        "decision": decision(
            "dealer",
            "faulty_repair",
            ["免费重新四轮定位并赠送一次保养", "免费重新定位"],
        ),
        "action": action(
            "免费重新四轮定位，赠送一次保养。",
            "技术主管复核定位数据，高速路试正常。",
        ),
        "follow_up": "次日回访（安全相关，24小时内）：客户满意。",
        "path": REVIEWING,
    },
    {
        "customer": "SH-C1006",
        "vehicle": "沪E3P981",
        "channel": "walk_in",
        "category": "workmanship",
        "component": "engine",
        "description": "换完机油第二天，车库地上有一滩油迹。",
        "customer_request": "检查清楚，把地面的油污也处理掉。",
        "findings": findings("fault", "放油螺丝垫片未更换，轻微渗油。"),
        "decision": decision(
            "dealer",
            "faulty_repair",
            ["免费更换垫片并补充机油，派人清理车库地面", "免费更换垫片"],
        ),
        "action": action("免费更换垫片、补充机油，上门清理油迹。", "更换垫片后复查无渗漏。"),
        "follow_up": "3天后回访：无渗漏，客户满意。",
        "path": REVIEWING,
    },
    {
        "customer": "GZ-C2003",
        "vehicle": "粤B5N630",
        "channel": "phone",
        "category": "product_quality",
        "component": "infotainment",
        "description": "中控屏上的时间在阳光下根本看不清。",
        "customer_request": "换一块亮一点的屏幕。",
        "findings": findings("no_fault", "屏幕亮度符合设计标准，强光下可读性差属于正常现象。"),
        "decision": decision(
            "undetermined",
            "",
            ["免费贴防眩光膜并讲解夜间/日间模式设置", "说明情况，不做处理"],
        ),
        "action": action("免费贴防眩光膜。", "贴膜并演示亮度自动调节设置。"),
        "follow_up": "回访：客户表示看得清了，满意。",
        "path": REVIEWING,
    },
    # ===== closed ============================================================================
    {
        "customer": "GZ-C2007",
        "vehicle": "粤A7W112",
        "channel": "walk_in",
        "category": "workmanship",
        "component": "engine",
        "description": (
            "暴雨天涉水后熄火，拖到店里，接待说“发动机进水，肯定顶缸了”，要换发动机总成，"
            "报价五万多。后来别的师傅检查，只是进气管进了点水。"
        ),
        "customer_request": "按实际故障维修，不要换总成。",
        "findings": findings("fault", "空气滤芯和进气管进水，发动机未进水，缸压正常。"),
        "decision": decision(
            "dealer",
            "misdiagnosis",
            ["按实际故障维修（更换空气滤芯、清理进气管），免工时费", "按实际故障维修"],
        ),
        "action": action(
            "更换空气滤芯、清理进气管，免工时费。",
            "技术经理复检，测缸压正常；接待向客户道歉。",
        ),
        "follow_up": "3天后回访：车辆正常，客户满意。",
        "review": review(
            "未经详细检查就凭经验下结论，报价换总成，客户觉得被骗。",
            "复检后按实际故障维修，客户接受；但首次判断损害了信任。",
            "按维修手册标准流程检测后再报价；大额维修方案需技术经理复核。",
        ),
        "path": CLOSED,
    },
    {
        "customer": "GZ-C2004",
        "vehicle": "粤A8R046",
        "channel": "phone",
        "category": "waiting_time",
        "component": "none",
        "description": "首保预约9点，11点才开始做。",
        "customer_request": "以后预约准时。",
        "findings": findings("fault", "前一天的返修车占用了工位。"),
        "decision": decision(
            "dealer",
            "insufficient_explanation",
            ["赠送一次精洗并道歉", "下次保养优先安排"],
        ),
        "action": action("赠送一次精洗。", "调整预约排班，返修车不占用预约工位。"),
        "follow_up": "回访：客户满意。",
        "review": review(
            "排班没有预留返修车的工位，预约客户被迫等待。",
            "当天道歉并补偿，客户接受。",
            "每天预留一个返修工位；预计等待超过30分钟时主动告知客户。",
        ),
        "path": CLOSED,
    },
    {
        "customer": "SH-C1007",
        "vehicle": "沪F1A552",
        "channel": "letter",
        "category": "billing",
        "component": "none",
        "description": "公司来函：上季度车队保养的发票抬头开错，财务无法报销。",
        "customer_request": "重开发票。",
        "findings": findings("fault", "开票时使用了司机个人名称。"),
        "decision": decision(
            "dealer",
            "insufficient_explanation",
            ["三天内重开发票并快递寄出", "客户到店领取重开的发票"],
        ),
        "action": action("重开发票并快递寄出。", "在客户档案中登记公司开票信息。"),
        "follow_up": "客户财务确认收到正确的发票。",
        "review": review(
            "车队客户的开票信息没有登记在档案里。",
            "三天内完成，客户满意。",
            "车队客户建档时必须录入开票信息。",
        ),
        "path": CLOSED,
        "actors": {"close": "manager2"},
    },
    # ===== received ==========================================================================
    {
        "customer": "SH-C1005",
        "vehicle": "沪D8H126",
        "channel": "walk_in",
        "category": "waiting_time",
        "component": "none",
        "description": "预约了上午9点保养，到11点还没开始做，前台说车间排不过来。",
        "customer_request": "今天下午必须交车。",
        "path": [],
    },
    {
        "customer": "SH-C1008",
        "vehicle": "沪A9T664",
        "channel": "phone",
        "category": "parts",
        "component": "body_paint",
        "description": "上周订的左后视镜外壳，说好3天到货，每次打电话都说再等等。",
        "customer_request": "给一个准确的到货时间。",
        "path": [],
    },
    {
        "customer": "GZ-C2005",
        "vehicle": "粤A2F391",
        "channel": "oem_hotline",
        "category": "product_quality",
        "component": "hvac",
        "description": "（厂家热线转来）空调出风有异味，开内循环更明显。",
        "customer_request": "尽快处理。",
        "path": [],
    },
    {
        "customer": "GZ-C2002",
        "vehicle": None,
        "channel": "social",
        "category": "attitude",
        "component": "none",
        "description": "公众号留言：打了三次客服电话都没人接，留言也没人回。",
        "customer_request": "希望有人主动联系我。",
        "path": [],
    },
    {
        "customer": "GZ-C2006",
        "vehicle": "粤A4G775",
        "channel": "phone",
        "category": "product_quality",
        "component": "fuel_system",
        "description": "加满油以后车里有明显的汽油味。",
        "customer_request": "马上检查是不是漏油。",
        "path": [],
    },
    {
        "customer": "SH-C1002",
        "vehicle": "沪B7Q305",
        "channel": "letter",
        "category": "sales",
        "component": "none",
        "description": "购车时说好送的脚垫和行车记录仪，提车时只给了脚垫。",
        "customer_request": "补装行车记录仪。",
        "path": [],
    },
    # ===== listening =========================================================================
    {
        "customer": "SH-C1005",
        "vehicle": "沪D8H126",
        "channel": "email",
        "category": "product_quality",
        "component": "lighting",
        "description": "新换的大灯内部起雾，下雨后更严重。",
        "customer_request": "保修更换。",
        "path": LISTENING,
    },
    {
        "customer": "SH-C1006",
        "vehicle": "沪E3P981",
        "channel": "phone",
        "category": "waiting_time",
        "component": "none",
        "description": "洗车等了一个半小时，前台说马上好说了四次。",
        "customer_request": "给个合理解释。",
        "path": LISTENING,
    },
    {
        "customer": "GZ-C2003",
        "vehicle": "粤B5N630",
        "channel": "phone",
        "category": "insurance_claim",
        "component": "body_paint",
        "description": "理赔定损已经一个星期了，还没有出定损单，车一直放在店里。",
        "customer_request": "今天给我明确的进度。",
        "path": LISTENING,
    },
    {
        "customer": "GZ-C2007",
        "vehicle": "粤A7W112",
        "channel": "web",
        "category": "billing",
        "component": "none",
        "description": "App上显示的保养套餐价格和到店结算价格不一样。",
        "customer_request": "按App上的价格结算。",
        "path": LISTENING,
    },
    {
        "customer": "SH-C1004",
        "vehicle": "沪C2M770",
        "channel": "walk_in",
        "category": "attitude",
        "component": "none",
        "description": "打电话来只能下班后接，但你们总是白天打，留言也没人回。",
        "customer_request": "按我方便的时间联系。",
        "path": LISTENING,
    },
    # ===== investigating =====================================================================
    {
        "customer": "SH-C1001",
        "vehicle": "沪A5K218",
        "channel": "phone",
        "category": "product_quality",
        "component": "electrical",
        "description": "车停一晚上，第二天早上就打不着火，电瓶没电。",
        "customer_request": "查清是什么在耗电。",
        "path": INVESTIGATING,
    },
    {
        "customer": "GZ-C2003",
        "vehicle": "粤B5N630",
        "channel": "walk_in",
        "category": "product_quality",
        "component": "suspension",
        "description": "过减速带时右前有“咚咚”的异响。",
        "customer_request": "免费检查维修。",
        "path": INVESTIGATING,
    },
    {
        "customer": "GZ-C2006",
        "vehicle": "粤A4G775",
        "channel": "phone",
        "category": "product_quality",
        "component": "steering",
        "description": "低速转弯时方向盘有“咯吱”声，有时候感觉发沉。",
        "customer_request": "尽快检查，我每天都要跑高速。",
        "path": INVESTIGATING,
    },
    # ===== assessing =========================================================================
    {
        "customer": "GZ-C2001",
        "vehicle": "粤A3C907",
        "channel": "phone",
        "category": "product_quality",
        "component": "engine",
        "description": "暴雨后车辆熄火，拖车到店，说发动机可能进水，要大修。",
        "customer_request": "先告诉我到底坏了什么，再决定修不修。",
        "findings": findings("unclear", "进气管有积水痕迹，缸压待复测；需拆检后才能确定。"),
        "path": ASSESSING,
    },
    {
        "customer": "SH-C1003",
        "vehicle": "沪AD36512",
        "channel": "email",
        "category": "product_quality",
        "component": "infotainment",
        "description": "仪表台中间有“嗒嗒”的异响，路面不平时更明显。",
        "customer_request": "找到异响位置并处理。",
        "findings": findings("unclear", "路试两次未能稳定复现，疑似仪表台卡扣松动。"),
        "path": ASSESSING,
    },
    {
        "customer": "SH-C1008",
        "vehicle": "沪A9T664",
        "channel": "walk_in",
        "category": "product_quality",
        "component": "hvac",
        "description": "开空调时副驾驶脚垫是湿的。",
        "customer_request": "免费修好，清洗脚垫和地毯。",
        "findings": findings("fault", "空调排水管脱落，冷凝水流入车内。"),
        "path": ASSESSING,
    },
    {
        "customer": "GZ-C2005",
        "vehicle": "粤A2F391",
        "channel": "walk_in",
        "category": "workmanship",
        "component": "tires_wheels",
        "description": "换完轮胎回去发现轮毂上多了几道划痕。",
        "customer_request": "修复轮毂或赔偿。",
        "findings": findings("fault", "拆装轮胎时扒胎机压头未加保护套。"),
        "decision": decision(
            "dealer",
            "faulty_repair",
            ["免费修复轮毂划痕", "更换一只新轮毂"],
            chosen=1,
            amount="3600.00",
        ),
        "reject_reason": "修复后能达到原样，不需要更换轮毂；请与客户商量修复方案。",
        "path": [*ASSESSING, "submit_for_approval", "reject"],
    },
    # ===== withdrawn =========================================================================
    {
        "customer": "SH-C1001",
        "vehicle": "沪A5K218",
        "channel": "phone",
        "category": "other",
        "component": "none",
        "description": "家人说保养时车里的行车记录仪存储卡不见了。",
        "withdraw_reason": "客户来电：存储卡在家里找到了，是误会，撤回投诉。",
        "path": ["withdraw"],
    },
    {
        "customer": "GZ-C2001",
        "vehicle": "粤A3C907",
        "channel": "phone",
        "category": "waiting_time",
        "component": "none",
        "description": "打了两次预约电话都说排满了。",
        "withdraw_reason": "客户已通过App预约成功，表示不需要再处理。",
        "path": [*LISTENING, "withdraw"],
    },
    {
        "customer": "SH-C1006",
        "vehicle": "沪E3P981",
        "channel": "walk_in",
        "category": "product_quality",
        "component": "electrical",
        "description": "车窗玻璃升降的时候有时候会自己停下来。",
        "withdraw_reason": "客户决定在保修到期前换车，不再维修，撤回投诉。",
        "path": [*INVESTIGATING, "withdraw"],
    },
    {
        "customer": "GZ-C2004",
        "vehicle": "粤A8R046",
        "channel": "email",
        "category": "sales",
        "component": "none",
        "description": "购车时销售承诺的置换补贴没有到账。",
        "findings": findings("fault", "补贴由厂家统一发放，本批次尚未到账。"),
        "withdraw_reason": "厂家补贴已经到账，客户确认问题解决，撤回投诉。",
        "path": [*ASSESSING, "withdraw"],
    },
]
