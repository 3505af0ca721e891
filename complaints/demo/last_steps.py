"""Demo cases of the everyday mix in the later steps of the method: resolving, following up,
reviewing and closed."""

from __future__ import annotations

from typing import Any

from .paths import (
    ASSESSING,
    CLOSED,
    DISSATISFIED,
    FOLLOWING_UP,
    RESOLVING,
    REVIEWING,
    action,
    approved,
    decision,
    findings,
    review,
)

CASES: list[dict[str, Any]] = [
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
]
