"""The demo's dealerships, as data: regions, dealers, staff, customers, vehicles and repair
orders. `dealers.demo.seed` turns these specs into rows through the services.
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
        "phone": "021-5888 0101",
        "region": "EAST",
        "timezone": "Asia/Shanghai",
        "currency": "CNY",
        "approval_limit": Decimal("2000.00"),
    },
    {
        "code": "GZ02",
        "name": "广州天河丰田",
        "phone": "020-3866 0202",
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
