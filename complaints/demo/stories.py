"""Demo cases that retell the stories of the training material in their own words: the
insurance repair promised in four days (服务理念提升, 002), the key cap and the charger adapter
(投诉处理案例分析, 001), and a brake noise that is a safety matter; then customers and vehicles
that complain again, and serious cases above the dealer's approval limit."""

from __future__ import annotations

from typing import Any

from .paths import (
    AWAITING_APPROVAL,
    CLOSED,
    FOLLOWING_UP,
    INVESTIGATING,
    REVIEWING,
    action,
    approved,
    decision,
    findings,
    review,
)

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
]
