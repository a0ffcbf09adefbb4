"""Names, word lists and templates for the sample-data generator (generate.py).

Kept apart from the geometry code so generate.py stays readable. Everything is invented or
generic: road and place names echo old Wuchang, but shapes, people and numbers are synthetic.
"""

from __future__ import annotations

# code, name_zh, name_en, population, households (district totals, not the sum of this one street)
DISTRICT = ("420106", "武昌区", "Wuchang District", 1_094_590, 426_720)
STREET = ("420106001", "中华路街道", "Zhonghualu Subdistrict")

# Hand-drawn lon/lat outline, a few km across; the west edge follows the Yangtze bank.
DISTRICT_OUTLINE = [
    (114.2860, 30.5120),
    (114.2930, 30.5390),
    (114.2900, 30.5640),
    (114.2985, 30.5880),
    (114.3160, 30.6030),
    (114.3440, 30.5990),
    (114.3660, 30.5890),
    (114.3830, 30.5710),
    (114.3790, 30.5440),
    (114.3690, 30.5220),
    (114.3440, 30.5070),
    (114.3140, 30.5040),
]

COMMUNITIES = [
    ("粮道街社区", "Liangdaojie"),
    ("司门口社区", "Simenkou"),
    ("黄鹤楼社区", "Huanghelou"),
    ("昙华林社区", "Tanhualin"),
    ("胭脂路社区", "Yanzhilu"),
    ("得胜桥社区", "Deshengqiao"),
    ("候补街社区", "Houbujie"),
    ("起义门社区", "Qiyimen"),
    ("紫阳社区", "Ziyang"),
    ("阅马场社区", "Yuemachang"),
]

# name_zh, name_en, kind, axis ("ns" runs north-south), offset in metres from the street centre
MAJOR_ROADS = [
    ("解放路", "Jiefang Road", "primary", "ns", -120.0),
    ("民主路", "Minzhu Road", "primary", "ew", 60.0),
    ("复兴路", "Fuxing Road", "secondary", "ns", -720.0),
    ("首义路", "Shouyi Road", "secondary", "ns", 540.0),
    ("彭刘杨路", "Pengliuyang Road", "secondary", "ew", -430.0),
    ("大成路", "Dacheng Road", "secondary", "ew", 520.0),
]

LANES = [
    ("察院坡", "Chayuanpo Lane"),
    ("太平试馆", "Taipingshiguan Lane"),
    ("芝麻岭", "Zhimaling Lane"),
    ("三道街", "Sandao Street"),
    ("西城壕", "Xichenghao Lane"),
    ("高家巷", "Gaojia Lane"),
    ("马道门", "Madaomen Lane"),
    ("书院街", "Shuyuan Street"),
    ("花堤街", "Huadi Street"),
    ("玉带街", "Yudai Street"),
    ("积玉桥", "Jiyuqiao Lane"),
    ("云架桥", "Yunjiaqiao Lane"),
    ("青龙巷", "Qinglong Lane"),
    ("戈甲营", "Gejiaying Lane"),
    ("大朝街", "Dachao Street"),
    ("灵官庙", "Lingguanmiao Lane"),
]

# ---------------------------------------------------------------------------------------------
# Facilities: type -> (label, default inspection interval in days, how many, override interval)
FACILITY_TYPES = {
    "street_light": ("路灯", 30, 44, 14),
    "bench": ("座椅", 180, 14, 90),
    "playground": ("儿童游乐设施", 30, 6, 14),
    "public_toilet": ("公厕", 7, 5, 3),
    "waste_point": ("垃圾收集点", 7, 14, 3),
    "fitness": ("健身器材", 30, 10, 60),
    "drainage_grate": ("雨水篦子", 90, 22, 30),
    "ev_charger": ("充电桩", 90, 10, 180),
    "fire_hydrant": ("消防栓", 180, 16, 90),
}
AGENCY = {
    "street_light": "中华路街道城管中队",
    "bench": "中华路街道城管中队",
    "playground": "中华路街道城管中队",
    "public_toilet": "武昌区环卫所",
    "waste_point": "武昌区环卫所",
    "fitness": "中华路街道城管中队",
    "drainage_grate": "武昌区水务局排水所",
    "ev_charger": "江城易充科技有限公司",
    "fire_hydrant": "武昌区消防救援大队",
}
# Who answers for a facility: weights for (agency, property company, residents' committee,
# volunteer steward). Volunteers adopting benches and fitness corners is the point of 共同缔造.
PARTY_MIX = {
    "street_light": (0.9, 0.1, 0.0, 0.0),
    "bench": (0.3, 0.3, 0.1, 0.3),
    "playground": (0.0, 0.4, 0.4, 0.2),
    "public_toilet": (1.0, 0.0, 0.0, 0.0),
    "waste_point": (0.6, 0.4, 0.0, 0.0),
    "fitness": (0.0, 0.2, 0.5, 0.3),
    "drainage_grate": (1.0, 0.0, 0.0, 0.0),
    "ev_charger": (1.0, 0.0, 0.0, 0.0),
    "fire_hydrant": (1.0, 0.0, 0.0, 0.0),
}
PROPERTY_COMPANIES = ["楚天物业公司", "鹤鸣物业服务有限公司", "长江物业公司"]
VOLUNTEERS = [
    "志愿者 张师傅",
    "志愿者 李阿姨",
    "志愿者 王老师",
    "志愿者 刘师傅",
    "志愿者 陈阿姨",
    "志愿者 周大爷",
]

OK_NOTES = ["", "", "", "外观完好", "运行正常", "巡查无异常", "已清洁"]
FAULT_NOTES = {
    "street_light": ["灯不亮，疑似灯头损坏", "灯杆轻微倾斜", "夜间频闪"],
    "bench": ["木条断裂一根", "螺丝松动，坐上去晃"],
    "playground": ["滑梯连接处有裂缝", "秋千链条磨损"],
    "public_toilet": ["洗手池水龙头漏水", "冲水阀失灵"],
    "waste_point": ["垃圾桶破损", "周边污水横流"],
    "fitness": ["器材螺丝松动", "转轮卡滞"],
    "drainage_grate": ["篦子被落叶堵塞", "篦子缺失一块"],
    "ev_charger": ["无法启动充电", "扫码无响应"],
    "fire_hydrant": ["水压不足", "阀门锈蚀"],
}
FIX_NOTES = {
    "street_light": ["已更换LED灯头", "已扶正加固灯杆", "已更换镇流器"],
    "bench": ["已更换木条", "已紧固螺丝"],
    "playground": ["已更换滑梯部件", "已更换链条"],
    "public_toilet": ["已更换水龙头", "已维修冲水阀"],
    "waste_point": ["已更换垃圾桶", "已冲洗地面"],
    "fitness": ["已紧固并加注润滑油", "已更换轴承"],
    "drainage_grate": ["已清掏疏通", "已补装篦子"],
    "ev_charger": ["已重启并更新程序", "已更换通信模块"],
    "fire_hydrant": ["已除锈并更换阀门", "已协调供水恢复水压"],
}
FAILED_REPAIR_NOTES = ["配件缺货，等待更换", "需专业单位维修，已上报", "待协调产权单位"]

# ---------------------------------------------------------------------------------------------
# Reports
CATEGORIES = [
    "road_damage",
    "street_light",
    "waste",
    "drainage",
    "parking",
    "noise",
    "greenery",
    "facility_damage",
    "public_safety",
    "accessibility",
]
SCATTER_MIX = [0.14, 0.14, 0.14, 0.12, 0.12, 0.08, 0.08, 0.10, 0.05, 0.03]
TEMPLATES = {
    "road_damage": [
        "{p}路面坑洼不平，电动车经过很危险。",
        "{p}人行道地砖松动翘起，老人差点绊倒。",
        "{p}有个井盖松动，车一压就哐哐响。",
        "{p}沥青路面开裂，裂缝越来越大。",
        "{p}路面塌了一块，请尽快修补。",
    ],
    "street_light": [
        "{p}的路灯晚上不亮，已经好几天了。",
        "{p}路灯一闪一闪的，晚上走路心里发慌。",
        "{p}有两盏路灯坏了，整段路黑漆漆的。",
        "{p}路灯白天也亮着，浪费电。",
    ],
    "waste": [
        "{p}垃圾堆了好几天没人清运，味道很大。",
        "{p}有人乱倒装修垃圾。",
        "{p}垃圾桶满了溢出来，招苍蝇。",
        "{p}旧沙发旧床垫堆在路边没人处理。",
    ],
    "drainage": [
        "{p}一下雨就积水，水深到脚踝。",
        "{p}下水道堵了，污水冒到路面上。",
        "{p}雨水篦子被落叶堵死，积水排不出去。",
        "{p}下水道返臭味，天一热就熏得人受不了。",
    ],
    "parking": [
        "{p}电动车乱停，把盲道和消防通道都堵了。",
        "{p}私家车长期占用人行道停车。",
        "{p}共享单车堆成一堆，行人过不去。",
        "{p}有辆车停了半年没动过，像是僵尸车。",
    ],
    "noise": [
        "{p}晚上广场舞音响开得太大，十点后还在跳。",
        "{p}凌晨还在卸货，吵得睡不着。",
        "{p}施工噪音很大，中午也不停。",
        "{p}有商铺用大喇叭循环播放促销，太吵了。",
    ],
    "greenery": [
        "{p}的绿化带被踩秃了，还有人在里面种菜。",
        "{p}行道树被折断了一根大枝。",
        "{p}草坪被车压坏，泥土都露出来了。",
        "{p}树枝长得太密，挡住了路灯和监控。",
    ],
    "facility_damage": [
        "{p}的座椅坏了，木板断了一块。",
        "{p}健身器材螺丝松了，晃得厉害。",
        "{p}宣传栏玻璃碎了，容易伤人。",
        "{p}公厕水龙头坏了，一直漏水。",
        "{p}儿童滑梯有裂缝，孩子玩很危险。",
    ],
    "public_safety": [
        "{p}有人把电动车推进楼道充电，有火灾隐患。",
        "{p}围挡倒了一半，旁边就是人行道。",
        "{p}有个空调外机摇摇欲坠。",
        "{p}消防通道被杂物堵住了。",
        "{p}电线私拉乱接，挂在树上。",
    ],
    "accessibility": [
        "{p}无障碍坡道被摊位占了，轮椅上不去。",
        "{p}盲道中间立了根电线杆。",
        "{p}坡道太陡，推婴儿车都费劲。",
        "{p}站台没有坡道，坐轮椅上不了车。",
    ],
}
SUFFIXES = ["", "", "", "麻烦尽快处理。", "希望社区关注一下。", "之前反映过，还没解决。", "谢谢！"]
ROAD_SUFFIXES = ["", "旁", "路边", "人行道上", "路口", "中段"]
BUILDING_SUFFIXES = ["楼下", "旁边", "门口", "后面"]
XSS_TEXT = '<script>alert("xss")</script> 路灯不亮'
SQL_TEXT = "{p}井盖松动 ' OR 1=1; -- 请处理"

# Complaint hotspots. anchor: where the place sits (a road kind, "building" or "any");
# {c} = community short name, {r} = nearest road; mix follows CATEGORIES order; "noise" swaps in
# the kind of noise that fits the place (no square dancing on a building site).
HOTSPOTS = [
    {
        "name": "{c}菜市场",
        "anchor": "secondary",
        "sigma": 80,
        "share": 0.24,
        "mix": [0.05, 0, 0.35, 0.1, 0.3, 0.2, 0, 0, 0, 0],
        "places": ["{c}菜市场门口", "菜市场东边", "菜场后门的巷子里", "{c}菜市场旁边"],
        "noise": ["{p}凌晨四点就开始卸货，吵得睡不着。", "{p}有商铺用大喇叭循环播放促销，太吵了。"],
    },
    {
        "name": "{r}小学",
        "anchor": "secondary",
        "sigma": 60,
        "share": 0.16,
        "mix": [0.15, 0.1, 0, 0, 0.4, 0, 0, 0, 0.25, 0.1],
        "places": ["{r}小学校门口", "{r}小学东门", "学校门口", "{r}小学对面"],
    },
    {
        "name": "{r}老小区",
        "anchor": "building",
        "sigma": 110,
        "share": 0.2,
        "mix": [0.25, 0.25, 0, 0.35, 0, 0, 0.05, 0, 0.1, 0],
        "places": ["{r}老小区", "{r}老小区院子里", "{r}老小区楼道口", "{r}老小区门口"],
    },
    {
        "name": "{r}公交站",
        "anchor": "primary",
        "sigma": 60,
        "share": 0.1,
        "mix": [0, 0, 0.2, 0, 0.2, 0, 0, 0.25, 0, 0.35],
        "places": ["{r}公交站", "{r}公交站台", "公交站旁边"],
    },
    {
        "name": "{r}施工工地",
        "anchor": "any",
        "sigma": 90,
        "share": 0.16,
        "mix": [0.2, 0, 0.15, 0, 0, 0.45, 0, 0, 0.2, 0],
        "places": ["{r}工地旁边", "工地门口", "{r}施工围挡外"],
        "noise": ["{p}施工噪音很大，中午也不停。", "{p}晚上十点多还在打桩，吵得没法睡。"],
        "since": "2026-05-01",  # the site opened in spring; no complaints before that
    },
    {
        "name": "{c}小广场",
        "anchor": "any",
        "sigma": 100,
        "share": 0.14,
        "mix": [0, 0, 0.1, 0, 0, 0.35, 0.3, 0.25, 0, 0],
        "places": ["{c}小广场", "广场旁边的绿地", "{c}小广场健身区"],
        "noise": [
            "{p}晚上广场舞音响开得太大，十点后还在跳。",
            "{p}天天晚上有人唱卡拉OK，音响震天响。",
        ],
    },
]
# Wuhan's plum-rain season (June-July) is when drainage complaints pile up.
RAIN_WEIGHT = [0.15, 0.2, 0.35, 0.6, 0.8, 1.0, 1.0, 0.6, 0.4, 0.25, 0.15, 0.1]  # Jan..Dec
HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 1, 3, 5, 6, 5, 4, 3, 3, 4, 4, 4, 5, 5, 6, 6, 5, 3, 2]
# (max age in days, {status: probability}): older reports are mostly done with.
STATUS_BY_AGE = [
    (7, {"submitted": 0.55, "accepted": 0.3, "in_progress": 0.1, "rejected": 0.05}),
    (
        30,
        {"submitted": 0.1, "accepted": 0.2, "in_progress": 0.35, "resolved": 0.25, "rejected": 0.1},
    ),
    (90, {"accepted": 0.05, "in_progress": 0.2, "resolved": 0.45, "closed": 0.2, "rejected": 0.1}),
    (10**6, {"in_progress": 0.04, "resolved": 0.26, "closed": 0.62, "rejected": 0.08}),
]
# hours until the last status change, per status (low, high)
UPDATE_DELAY_H = {
    "submitted": (0, 0),
    "accepted": (2, 72),
    "in_progress": (24, 300),
    "resolved": (48, 840),
    "closed": (120, 1200),
    "rejected": (4, 120),
}
PHONE_PREFIXES = ["1380000", "1390000", "1500000", "1860000", "1770000"]

# ---------------------------------------------------------------------------------------------
# Projects: (shape, phase, title_zh, title_en, description_zh, budget range in yuan)
# shape: compound | park | lot (polygons), lane | secondary (lines), building | near (points)
PROJECTS = [
    (
        "compound",
        "co_build",
        "{c}老旧小区改造",
        "{ce} Old Compound Renovation",
        "对院内老旧住宅进行屋面防水、外墙和管网改造。方案经居民议事会三轮讨论后确定。",
        (1_200_000, 2_000_000),
    ),
    (
        "park",
        "co_share",
        "{c}口袋公园",
        "{ce} Pocket Park",
        "把闲置空地改成口袋公园，增设座椅、树池和儿童活动区，居民认领绿化养护。",
        (300_000, 650_000),
    ),
    (
        "lane",
        "co_build",
        "{r}雨污分流改造",
        "{re} Sewer Separation",
        "沿{r}分设雨水、污水管道，解决雨天污水外溢问题。",
        (800_000, 1_600_000),
    ),
    (
        "building",
        "co_decide",
        "{c}{b}加装电梯",
        "{ce} Building {bn} Elevator Retrofit",
        "{b}居民正在协商加装电梯的出资比例和低层住户补偿方案。",
        (300_000, 600_000),
    ),
    (
        "lot",
        "co_evaluate",
        "{c}停车场改造",
        "{ce} Parking Lot Renovation",
        "将杂乱空地改造为规范停车场，新增车位和电动车充电区，缓解乱停车。",
        (200_000, 500_000),
    ),
    (
        "secondary",
        "co_manage",
        "{r}路灯更新",
        "{re} Street Light Upgrade",
        "将{r}老旧钠灯更换为LED节能路灯，志愿者每月巡查一次。",
        (150_000, 400_000),
    ),
    (
        "near",
        "co_decide",
        "{c}适老化改造",
        "{ce} Age-friendly Retrofit",
        "为高龄独居老人家庭加装扶手、防滑地面和紧急呼叫设备，正在入户征求意见。",
        (100_000, 300_000),
    ),
    (
        "near",
        "co_manage",
        "{c}垃圾分类亭",
        "{ce} Waste Sorting Kiosk",
        "建设带洗手池的垃圾分类亭，定时定点投放，志愿者轮值督导。",
        (50_000, 150_000),
    ),
    (
        "building",
        "co_share",
        "{c}食堂",
        "{ce} Canteen",
        "在{b}一楼开设社区食堂，为老年人提供平价午餐。经验已在全街道推广。",
        (200_000, 450_000),
    ),
    (
        "lane",
        "co_evaluate",
        "{r}健身步道",
        "{re} Fitness Trail",
        "沿{r}铺设彩色健身步道并增设健身器材，居民正在对使用效果进行评议。",
        (300_000, 700_000),
    ),
]
# (progress low, high), started_on window, completed_on window (None = stays null)
PHASES = {
    "co_decide": ((0, 10), None, None),
    "co_build": ((20, 80), ("2026-03-01", "2026-08-31"), None),
    "co_manage": ((85, 98), ("2025-08-01", "2026-01-31"), None),
    "co_evaluate": ((100, 100), ("2025-05-01", "2025-10-31"), ("2026-04-01", "2026-09-30")),
    "co_share": ((100, 100), ("2025-03-01", "2025-08-31"), ("2025-12-01", "2026-06-30")),
}
