#!/usr/bin/env python3
"""Generate the synthetic page scans of the bundled sample case(s).

Every document listed in ``samples/*/*/dossier.toml`` gets one image per
entry in its ``files`` list.  The page text comes from the ``CONTENT``
table below (one entry per document id); the image is rendered like a
scanned sheet of A4 paper at 200 dpi: Chinese text laid out as a form or
official document, a seal, a little skew, scanner noise and speckle and a
faint shadow along the paper edge.

The output is deterministic: each page has its own fixed random seed, so
running the script twice gives byte-identical files (with the same Pillow,
FreeType, libjpeg and zlib; see ``GENERATED_WITH``).

Usage::

    python samples/make_scans.py             # regenerate in place
    python samples/make_scans.py --out DIR   # write the tree into DIR instead
    python samples/make_scans.py --check     # exit 1 if committed files differ

All persons, addresses, telephone and document numbers are fictional.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import statistics
import sys
import tempfile
import tomllib
import zlib
from pathlib import Path

import pymupdf
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, features

SAMPLES = Path(__file__).resolve().parent
CASES = ["theft-fasttrack"]
SOURCES = ["police", "procuratorate", "court"]

# Library versions the committed images were produced with.  Other versions
# of FreeType / libjpeg / zlib may rasterise or encode differently, so the
# byte-for-byte check is only meaningful when these match.
GENERATED_WITH = {
    "freetype2": "2.14.3",
    "jpg": "6.2",
    "zlib": "1.2.13",
    "font_crc32": "af573625",
}

GLOBAL_SEED = 20261030
NOISE_SIGMA = 1.8       # grey levels, before JPEG
BLUR = 1.0              # optical softness of the scanner, px
NOISE_SCALE = 2         # noise field is generated at 1/NOISE_SCALE resolution
JPEG_QUALITY_GREY = 45
JPEG_QUALITY_COLOUR = 50

# ---------------------------------------------------------------- page geometry
DPI = 200
W, H = 1654, 2339  # A4 at 200 dpi
LEFT, RIGHT, TOP, BOTTOM = 220, 200, 230, 250
TEXT_W = W - LEFT - RIGHT
FOOTER_Y = H - 190

PAPER_GREY = (252, 251, 247)
PAPER_COLOUR = (250, 247, 238)
INK = (30, 30, 32)
PEN = (28, 38, 96)  # blue-black ballpoint
RED = (206, 32, 38)
SEAL_RED = (214, 40, 46)

# ------------------------------------------------------------ check characters


def uscc_check(code17: str) -> str:
    """GB 32100-2015 check character of a unified social credit code."""
    table = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(table.index(c) * w for c, w in zip(code17, weights, strict=True))
    return table[(31 - total % 31) % 31]


def uscc_valid(code: str) -> bool:
    return len(code) == 18 and uscc_check(code[:17]) == code[17]


def id_check(id17: str) -> str:
    """GB 11643-1999 check digit of an 18-digit resident identity number."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(id17, weights, strict=True)) % 11]


def luhn(digits: str) -> str:
    """Luhn check digit (IMEI)."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return str((10 - total % 10) % 10)


SUSPECT_ID = "44030519900315001" + id_check("44030519900315001")
VICTIM_ID = "44030419950722002" + id_check("44030419950722002")
IMEI = "86123405012345" + luhn("86123405012345")

# ----------------------------------------------------------------- page content
#
# A page is a list of blocks:
#   ("head", text)            agency name above a form / document title
#   ("redhead", text)         large red agency name (红头)
#   ("title", text)           document title, centred, bold
#   ("no", text[, align])     文号, right-aligned (or "center")
#   ("rule",)                 red rule under a red head
#   ("p", text)               paragraph, first line indented two characters
#   ("l", text)               line without indent (wraps to the margin)
#   ("h", text)               section heading, indented, bold
#   ("r", text)               right-aligned line (agency, date)
#   ("sign", label, name)     label then a pen-written name, plus fingerprint
#   ("seal", name, bottom)    round seal over the preceding right-aligned lines
#   ("stamp", text)           small rectangular stamp to the left
#   ("table", rows)           ruled form; row = [(text, width_fraction[, "c"])]
#   ("small", text)           small print
#   ("gap", pixels)
#   ("bottom", pixels)        move down to that distance above the page footer
#   ("size", pixels)          body font size for the following blocks
#
# ☑ in a text is drawn as a ticked box.

A_POLICE = "深圳市公安局南山分局"
A_PROC = "深圳市南山区人民检察院"
A_COURT = "广东省深圳市南山区人民法院"
A_PRICE = "深圳市南山区价格认证中心"

SUSPECT = (
    f"张某某，男，1990年3月15日出生，公民身份号码{SUSPECT_ID}，汉族，初中文化，"
    "无固定职业，户籍地广东省深圳市南山区南头街道某某社区，现住深圳市南山区西丽街道"
    "某某村某栋某房"
)
FACTS = (
    "2026年10月30日19时40分许，{who}张某某在深圳市南山区南海大道某号鑫源通讯器材店内，"
    "以购买手机为由让店员李某取出华为nova 13 Pro手机一部（512GB）供其查看，"
    "趁李某转身接待其他顾客之机，将该手机藏入衣兜后逃离现场。经深圳市南山区价格认证中心"
    "认定，被盗手机价值人民币3,800元。2026年10月31日，民警在深圳市南山区西丽街道某某村"
    "将{who}张某某抓获，当场起获被盗手机，现已发还被害人。"
)

QA_HEADER_SUSPECT = [
    ("l", "时间：2026年10月31日14时05分至2026年10月31日15时10分"),
    ("l", "地点：深圳市公安局南山分局执法办案中心第3讯问室"),
    ("l", "侦查员姓名、工作单位：周某某、吴某　深圳市公安局南山分局"),
    ("l", "记录员姓名、工作单位：吴某　深圳市公安局南山分局"),
    ("l", "犯罪嫌疑人姓名：张某某　性别：男　出生日期：1990年3月15日"),
    ("l", f"身份证件种类及号码：居民身份证　{SUSPECT_ID}"),
    ("l", "是否人大代表：否　　是否政协委员：否"),
    ("l", "现住址：深圳市南山区西丽街道某某村某栋某房"),
    ("l", "联系方式：139****2751"),
    ("l", "户籍所在地：广东省深圳市南山区南头街道某某社区"),
]

CONTENT: dict[str, dict] = {
    # ------------------------------------------------------------- police
    "d1": {
        "pages": [
            [
                ("head", A_POLICE),
                ("title", "受 案 登 记 表"),
                ("no", "深南公(刑)受案字〔2026〕05318号"),
                ("gap", 10),
                ("table", [
                    [("报案人", .14, "c"), ("姓名", .10, "c"), ("李某", .16, "c"),
                     ("性别", .10, "c"), ("女", .10, "c"), ("出生日期", .15, "c"),
                     ("1995年7月22日", .25, "c")],
                    [("身份证件种类及号码", .30, "c"), (f"居民身份证　{VICTIM_ID}", .70)],
                    [("工作单位", .16, "c"), ("深圳市南山区鑫源通讯器材店", .40),
                     ("联系方式", .16, "c"), ("138****6217", .28, "c")],
                    [("现住址", .16, "c"), ("深圳市南山区南头街道某某社区某栋某房", .84)],
                    [("移送单位", .16, "c"), ("／", .34, "c"), ("移送人", .16, "c"), ("／", .34, "c")],
                    [("接报民警", .16, "c"), ("周某某", .34, "c"),
                     ("接报时间", .16, "c"), ("2026年10月30日20时31分", .34, "c")],
                    [("接报方式", .16, "c"),
                     ("☑110指令　□工作中发现　□报案　□投案　□移送　□扭送　□其他", .84)],
                    [("接报地点", .16, "c"), ("深圳市南山区南海大道某号鑫源通讯器材店", .84)],
                    [("简要案情或者报案记录（发案时间、地点、简要过程、涉案人基本情况、"
                      "受害情况等）以及是否接受证据：", 1.0)],
                    [("　　2026年10月30日20时31分，我局接110指令：南山区南海大道某号鑫源"
                      "通讯器材店内一部手机被盗。民警周某某、吴某到场处置。经了解，报案人李某"
                      "系该店店员。当日19时40分许，一名身穿灰色连帽卫衣、戴黑色口罩的男子以"
                      "购买手机为由，要求李某从柜台内取出一部华为nova 13 Pro手机（512GB，"
                      "星耀黑，新机未激活）供其查看，趁李某转身接待其他顾客之机，将手机藏入衣兜"
                      "后离开。李某清点时发现手机被盗，查看店内监控确认后报警。被盗手机进价"
                      "3,500元，标价3,999元。民警当场调取店内监控录像一份（光盘）。", 1.0)],
                    [("受案意见", .16, "c"),
                     ("☑属于本单位管辖的刑事案件，建议及时立案侦查\n"
                      "□属于本单位管辖的行政案件，建议及时调查处理\n"
                      "□不属于本单位管辖，建议移送　　　　处理\n"
                      "□不属于公安机关职责范围，不予调查处理并当场书面告知当事人\n"
                      "□其他\n"
                      "　　　　受案民警：周某某　吴某　　2026年10月30日", .84)],
                    [("受案审批", .16, "c"),
                     ("同意。\n\n　　　　受案部门负责人：黄某某　　2026年10月30日21时10分", .84)],
                ], 32),
                ("gap", 16),
                ("small", "一式两份，一份留存，一份附卷。"),
            ],
        ],
    },
    "d2": {
        "pages": [
            [
                ("head", A_POLICE),
                ("title", "立 案 决 定 书"),
                ("no", "深南公(刑)立字〔2026〕00123号"),
                ("gap", 60),
                ("p", "根据《中华人民共和国刑事诉讼法》第一百一十二条之规定，决定对张某某盗窃案"
                      "立案侦查。"),
                ("gap", 220),
                ("r", A_POLICE),
                ("r", "2026年10月31日"),
                ("seal", A_POLICE, ""),
            ],
        ],
    },
    "d3": {
        "pages": [
            [
                ("head", A_POLICE),
                ("title", "拘 留 证"),
                ("no", "深南公(刑)拘字〔2026〕00341号"),
                ("gap", 40),
                ("p", "根据《中华人民共和国刑事诉讼法》第八十二条之规定，兹决定对犯罪嫌疑人"
                      "张某某（性别男，出生日期1990年3月15日，住址深圳市南山区西丽街道某某村"
                      "某栋某房）执行拘留，送深圳市南山区看守所羁押。"),
                ("gap", 140),
                ("r", A_POLICE),
                ("r", "2026年10月31日"),
                ("seal", A_POLICE, ""),
                ("gap", 90),
                ("p", "本证已于2026年10月31日11时30分向我宣布。"),
                ("sign", "被拘留人：", "张某某"),
                ("gap", 50),
                ("p", "本证副本已收到，被拘留人张某某已于2026年10月31日13时20分送至我所。"),
                ("r", "接收民警：郑某"),
                ("r", "深圳市南山区看守所"),
                ("r", "2026年10月31日"),
                ("gap", 60),
                ("small", "此联附卷。"),
            ],
        ],
    },
    "d4": {
        "pages": [
            [
                ("title", "讯 问 笔 录"),
                ("no", "第 1 次"),
                ("size", 40, 1.5),
                *QA_HEADER_SUSPECT,
                ("l", "问：我们是深圳市公安局南山分局的侦查人员（出示工作证件），现依法对你进行"
                      "讯问。你要如实回答我们的提问，对与本案无关的问题，你有拒绝回答的权利。"
                      "你听清楚了吗？"),
                ("l", "答：听清楚了。"),
                ("l", "问：这是《犯罪嫌疑人诉讼权利义务告知书》，你看一下。你是否清楚自己的"
                      "诉讼权利和义务？"),
                ("l", "答：我看过了，清楚。"),
                ("l", "问：你是否申请侦查人员回避？"),
                ("l", "答：不申请。"),
                ("l", "问：如实供述自己的罪行可以依法从轻处罚，认罪认罚可以依法从宽处理。"
                      "你听清楚了吗？"),
                ("l", "答：听清楚了。"),
                ("l", "问：你今天因为什么事被带到公安机关？"),
                ("l", "答：因为我昨天晚上在南海大道一家手机店偷了一部手机。"),
                ("bottom", 130),
                ("sign", "犯罪嫌疑人：", "张某某"),
            ],
            [
                ("size", 40, 1.5),
                ("l", "问：你把经过详细讲一下。"),
                ("l", "答：2026年10月30日晚上7点半左右，我路过南海大道的鑫源通讯，进店说要"
                      "买手机，让店员拿一部华为nova 13 Pro给我看。店员是个女的，她把手机拿出来"
                      "放在柜台上，转身去招呼别的客人，我就把手机装进卫衣口袋，直接走出店门，"
                      "往南头古城方向走了。"),
                ("l", "问：你拿走的手机是什么样的？"),
                ("l", "答：黑色的，新的，还贴着膜，没有开过机。"),
                ("l", "问：手机现在在哪里？"),
                ("l", "答：一直放在我住的地方，今天上午你们来的时候已经被你们扣押了。"),
                ("l", "问：你作案时穿的什么衣服？"),
                ("l", "答：灰色的连帽卫衣，戴着黑色口罩，衣服和口罩也被你们扣押了。"),
                ("l", "问：你为什么要偷手机？"),
                ("l", "答：我最近没有工作，缺钱用，想把手机卖掉换钱，还没来得及卖。"),
                ("l", "问：你以前是否受过刑事处罚或者行政处罚？"),
                ("l", "答：没有。"),
                ("l", "问：你对自己的行为怎么看？"),
                ("l", "答：我知道错了，我愿意认罪认罚，也愿意向店主道歉。"),
                ("l", "问：你还有什么要补充的吗？"),
                ("l", "答：没有了。"),
                ("l", "问：以上所说是否属实？"),
                ("l", "答：属实。"),
                ("gap", 40),
                ("pen", "以上笔录我看过，和我说的相符。"),
                ("sign", "犯罪嫌疑人：", "张某某"),
                ("r", "2026年10月31日"),
                ("gap", 40),
                ("r", "侦查员：周某某　吴某"),
                ("r", "记录员：吴某"),
            ],
        ],
    },
    "d5": {
        "pages": [
            [
                ("title", "询 问 笔 录"),
                ("no", "第 1 次"),
                ("size", 40, 1.5),
                ("l", "时间：2026年10月30日21时25分至2026年10月30日22时05分"),
                ("l", "地点：深圳市公安局南山分局南头派出所询问室"),
                ("l", "询问人姓名、工作单位：周某某、吴某　深圳市公安局南山分局"),
                ("l", "记录人姓名、工作单位：吴某　深圳市公安局南山分局"),
                ("l", "被询问人姓名：李某　性别：女　出生日期：1995年7月22日"),
                ("l", f"身份证件种类及号码：居民身份证　{VICTIM_ID}"),
                ("l", "现住址：深圳市南山区南头街道某某社区某栋某房"),
                ("l", "工作单位：深圳市南山区鑫源通讯器材店　联系方式：138****6217"),
                ("l", "被询问人身份：被害人"),
                ("l", "问：我们是深圳市公安局南山分局的民警（出示工作证件），现依法向你了解有关"
                      "情况，你应当如实提供证据、证言，有意作伪证或者隐匿罪证要负法律责任。"
                      "你听清楚了吗？"),
                ("l", "答：清楚了。"),
                ("l", "问：这是《被害人诉讼权利义务告知书》，你看一下是否清楚？"),
                ("l", "答：清楚。"),
                ("l", "问：你今天为什么来派出所？"),
                ("l", "答：我来报案，我们店里的一部手机被人偷了。"),
                ("l", "问：你把事情经过讲一下。"),
                ("l", "答：今天晚上7点40分左右，店里来了一个男的，大概30多岁，身高1米7左右，"
                      "穿灰色连帽卫衣，戴黑色口罩。他说想买手机，让我拿一部华为nova 13 Pro"
                      "给他看。我从柜台里拿出一部新机放在柜台上，这时候有别的客人问价，我转过身"
                      "去招呼，回过头来那个男的和手机都不见了。"),
                ("bottom", 130),
                ("sign", "被询问人：", "李某"),
            ],
            [
                ("size", 40, 1.5),
                ("l", "问：你发现手机被盗后做了什么？"),
                ("l", "答：我先在店里找了一遍，没有找到，就看了店里的监控，看到那个男的把手机"
                      "放进卫衣口袋后走出了店门，我就打了110报警。"),
                ("l", "问：被盗手机是什么型号，价值多少？"),
                ("l", f"答：华为nova 13 Pro，512GB，星耀黑，新机未激活，串号是{IMEI}。"
                      "店里进价3,500元，标价3,999元。"),
                ("l", "问：你能提供购买凭证吗？"),
                ("l", "答：可以，我把进货单复印件交给你们。"),
                ("l", "问：你认识那个男的吗？"),
                ("l", "答：不认识，以前没见过。再见到的话我能认出来。"),
                ("l", "问：你还有什么要补充的吗？"),
                ("l", "答：希望你们尽快抓到人，把手机追回来。"),
                ("l", "问：以上所说是否属实？"),
                ("l", "答：属实。"),
                ("gap", 40),
                ("pen", "以上笔录我看过，和我说的相符。"),
                ("sign", "被询问人：", "李某"),
                ("r", "2026年10月30日"),
                ("gap", 40),
                ("r", "询问人：周某某　吴某"),
                ("r", "记录人：吴某"),
            ],
        ],
    },
    "d6": {
        "colour": [1],
        "pages": [
            [
                ("redhead", A_PRICE),
                ("title", "价格认定结论书"),
                ("no", "深南价认〔2026〕0456号", "center"),
                ("rule",),
                ("size", 38, 1.5),
                ("l", "深圳市公安局南山分局："),
                ("p", "根据你单位《价格认定协助书》（深南公(刑)价认协字〔2026〕00152号）的委托，"
                      "本中心遵循合法、公正、科学的原则，按照规定的标准、程序和方法，对张某某"
                      "盗窃案涉及的手机一部进行了价格认定。现将价格认定情况综述如下："),
                ("h", "一、价格认定标的"),
                ("p", f"华为nova 13 Pro手机一部（512GB，星耀黑，IMEI：{IMEI}），新机，未激活，"
                      "外观完好，功能正常。"),
                ("h", "二、价格认定目的：为你单位办理刑事案件提供涉案财物价格依据。"),
                ("h", "三、价格认定基准日：2026年10月30日。"),
                ("h", "四、价格认定依据"),
                ("p", "《中华人民共和国价格法》《价格认定规定》《价格认定行为规范》；价格认定"
                      "协助书及提出机关提供的有关材料；本中心市场调查资料。"),
                ("h", "五、价格认定方法及过程"),
                ("p", "采用市场法。本中心于2026年11月2日对标的进行了实物查验，并对同型号、"
                      "同配置手机在基准日的市场零售价格进行了调查，综合分析后确定标的价格。"),
                ("h", "六、价格认定结论"),
                ("p", "价格认定标的在价格认定基准日的价格为人民币叁仟捌佰元整（¥3,800.00）。"),
                ("h", "七、声明：本结论书仅对本次价格认定有效，不得用于其他用途。"),
                ("gap", 30),
                ("r", "价格认定人员：何某某　孙某"),
                ("r", A_PRICE),
                ("r", "二〇二六年十一月四日"),
                ("seal", A_PRICE, "价格认定专用章"),
            ],
        ],
    },
    "d7": {
        "pages": [
            [
                ("head", A_POLICE),
                ("title", "扣 押 决 定 书"),
                ("no", "深南公(刑)扣字〔2026〕00217号"),
                ("gap", 40),
                ("p", "根据《中华人民共和国刑事诉讼法》第一百四十一条之规定，本局决定扣押犯罪"
                      "嫌疑人张某某持有的下列财物、文件："),
                ("gap", 10),
                ("table", [
                    [("编号", .10, "c"), ("名称", .16, "c"), ("数量", .12, "c"),
                     ("特征", .44, "c"), ("备注", .18, "c")],
                    [("1", .10, "c"), ("手机", .16, "c"), ("1部", .12, "c"),
                     (f"华为nova 13 Pro，512GB，星耀黑，IMEI：{IMEI}，未激活", .44),
                     ("涉案赃物", .18, "c")],
                    [("2", .10, "c"), ("连帽卫衣", .16, "c"), ("1件", .12, "c"),
                     ("灰色，XL码，左胸有白色字母图案", .44), ("作案时穿着", .18, "c")],
                    [("3", .10, "c"), ("口罩", .16, "c"), ("1个", .12, "c"),
                     ("黑色，棉质", .44), ("作案时佩戴", .18, "c")],
                ]),
                ("gap", 160),
                ("r", A_POLICE),
                ("r", "2026年10月31日"),
                ("seal", A_POLICE, ""),
                ("gap", 80),
                ("p", "本决定书已收到。"),
                ("sign", "被扣押财物持有人：", "张某某"),
                ("r", "2026年10月31日"),
            ],
            [
                ("head", A_POLICE),
                ("title", "扣 押 清 单"),
                ("no", "深南公(刑)扣字〔2026〕00217号"),
                ("gap", 10),
                ("table", [
                    [("编号", .10, "c"), ("名称", .16, "c"), ("数量", .12, "c"),
                     ("特征", .44, "c"), ("备注", .18, "c")],
                    [("1", .10, "c"), ("手机", .16, "c"), ("1部", .12, "c"),
                     (f"华为nova 13 Pro，512GB，星耀黑，IMEI：{IMEI}，未激活，"
                      "外观完好", .44), ("2026年11月5日已发还被害人李某", .18)],
                    [("2", .10, "c"), ("连帽卫衣", .16, "c"), ("1件", .12, "c"),
                     ("灰色，XL码，左胸有白色字母图案", .44), ("随案移送", .18, "c")],
                    [("3", .10, "c"), ("口罩", .16, "c"), ("1个", .12, "c"),
                     ("黑色，棉质", .44), ("随案移送", .18, "c")],
                    [("以下空白", 1.0, "c")],
                ]),
                ("gap", 40),
                ("sign", "持有人：", "张某某"),
                ("l", "见证人：王某（深圳市南山区西丽街道某某村出租屋管理员）"),
                ("l", "保管人：钱某（深圳市公安局南山分局涉案财物管理中心）"),
                ("l", "办案民警：周某某　吴某"),
                ("r", "2026年10月31日"),
                ("seal", A_POLICE, ""),
                ("gap", 40),
                ("small", "本清单一式三份，一份交持有人，一份交公安机关保管人员，一份附卷。"),
            ],
        ],
    },
    "d8": {
        "pages": [
            [
                ("head", A_POLICE),
                ("title", "起 诉 意 见 书"),
                ("no", "深南公(刑)诉字〔2026〕00098号"),
                ("size", 40),
                ("p", "犯罪嫌疑人" + SUSPECT + "。无违法犯罪经历。因涉嫌盗窃罪，于2026年10月31日"
                      "被我局刑事拘留，经深圳市南山区人民检察院批准，于2026年11月6日被我局执行"
                      "逮捕。现羁押于深圳市南山区看守所。"),
                ("p", "犯罪嫌疑人张某某涉嫌盗窃一案，由被害人李某于2026年10月30日报案至我局。"
                      "我局经审查，于2026年10月31日立案侦查。犯罪嫌疑人张某某于2026年10月31日"
                      "被我局民警抓获归案。"),
                ("p", "犯罪嫌疑人张某某涉嫌盗窃的犯罪事实如下："),
                ("p", FACTS.format(who="犯罪嫌疑人")),
                ("p", "认定上述犯罪事实的证据如下：1.物证：扣押的灰色连帽卫衣、黑色口罩；2.书证："
                      "受案登记表、扣押决定书、扣押清单、发还清单、到案经过、户籍证明；3.被害人"
                      "陈述：被害人李某的陈述；4.犯罪嫌疑人供述和辩解：犯罪嫌疑人张某某的供述；"
                      "5.鉴定意见：深南价认〔2026〕0456号价格认定结论书；6.视听资料：鑫源通讯"
                      "器材店监控录像。"),
            ],
            [
                ("size", 40),
                ("p", "上述犯罪事实清楚，证据确实、充分，足以认定。"),
                ("p", "犯罪嫌疑人张某某到案后如实供述自己的罪行，自愿认罪认罚，被盗财物已追回"
                      "并发还被害人，建议适用速裁程序办理。"),
                ("p", "综上所述，犯罪嫌疑人张某某以非法占有为目的，秘密窃取他人财物，数额较大，"
                      "其行为已触犯《中华人民共和国刑法》第二百六十四条之规定，涉嫌盗窃罪。依照"
                      "《中华人民共和国刑事诉讼法》第一百六十二条之规定，现将此案移送审查起诉。"),
                ("p", "此致"),
                ("l", A_PROC),
                ("gap", 80),
                ("r", "局　长　林某某"),
                ("r", A_POLICE),
                ("r", "2026年11月10日"),
                ("seal", A_POLICE, ""),
                ("gap", 60),
                ("l", "附：1.本案卷宗2卷；"),
                ("l", "　　2.随案移送物品清单1份；"),
                ("l", "　　3.犯罪嫌疑人张某某现羁押于深圳市南山区看守所。"),
            ],
        ],
    },
    "d9": {
        "pages": [
            [
                ("head", A_POLICE),
                ("title", "逮 捕 证"),
                ("no", "深南公(刑)捕字〔2026〕00187号"),
                ("gap", 40),
                ("p", "根据《中华人民共和国刑事诉讼法》第八十条之规定，经深圳市南山区人民检察院批准，"
                      "兹由我局对涉嫌盗窃罪的张某某（性别男，出生日期1990年3月15日，住址深圳市南山区"
                      "西丽街道某某村某栋某房）执行逮捕，送深圳市南山区看守所羁押。"),
                ("gap", 140),
                ("r", A_POLICE),
                ("r", "2026年11月6日"),
                ("seal", A_POLICE, ""),
                ("gap", 90),
                ("p", "本证已于2026年11月6日18时00分向我宣布。"),
                ("sign", "被逮捕人：", "张某某"),
                ("gap", 50),
                ("p", "本证副本已收到，被逮捕人张某某已于2026年11月6日18时40分羁押于我所。"),
                ("r", "接收民警：郑某"),
                ("r", "深圳市南山区看守所"),
                ("r", "2026年11月6日"),
                ("gap", 60),
                ("small", "此联附卷。"),
            ],
        ],
    },
    # ------------------------------------------------------ procuratorate
    "p1": {
        "pages": [
            [
                ("title", "认罪认罚具结书"),
                ("gap", 10),
                ("size", 38),
                ("h", "一、犯罪嫌疑人身份信息"),
                ("p", f"本人姓名张某某，性别男，出生日期1990年3月15日，公民身份号码{SUSPECT_ID}，"
                      "民族汉族，文化程度初中，户籍地广东省深圳市南山区南头街道某某社区，现住"
                      "深圳市南山区西丽街道某某村某栋某房。"),
                ("h", "二、权利知悉"),
                ("p", "本人已阅读《认罪认罚从宽制度告知书》，且理解认罪认罚的性质和可能导致的"
                      "法律后果，本人自愿适用认罪认罚从宽制度。"),
                ("h", "三、认罪认罚内容"),
                ("p", "深圳市南山区人民检察院指控本人于2026年10月30日在深圳市南山区南海大道"
                      "某号鑫源通讯器材店内秘密窃取手机一部，价值人民币3,800元，构成盗窃罪。"
                      "本人对指控的犯罪事实、罪名没有异议。"),
                ("p", "深圳市南山区人民检察院提出的量刑建议：判处有期徒刑七个月，并处罚金"
                      "人民币二千元。本人同意该量刑建议，同意适用速裁程序。"),
                ("h", "四、自愿签署声明"),
                ("p", "本人学历初中，能够阅读和理解汉语。本人已就上述内容与值班律师充分沟通，"
                      "本具结书系本人在值班律师在场的情况下自愿签署，未受任何暴力、威胁或者其他"
                      "形式的非法影响。"),
                ("sign", "犯罪嫌疑人：", "张某某"),
                ("r", "2026年11月12日"),
                ("gap", 20),
                ("p", "本人系犯罪嫌疑人张某某的值班律师。本人证明，犯罪嫌疑人已经阅读了本具结书"
                      "及《认罪认罚从宽制度告知书》，系自愿签署本具结书。"),
                ("sign", "值班律师：", "陈某", False),
                ("r", "广东某某律师事务所"),
                ("r", "2026年11月12日"),
            ],
        ],
    },
    "p2": {
        "pages": [
            [
                ("head", A_PROC),
                ("title", "量 刑 建 议 书"),
                ("no", "深南检刑量建〔2026〕1123号"),
                ("gap", 20),
                ("p", "被告人张某某涉嫌盗窃一案，经本院审查认为，被告人张某某以非法占有为目的，"
                      "秘密窃取他人财物，数额较大，其行为已触犯《中华人民共和国刑法》第二百六十四条，"
                      "犯罪事实清楚，证据确实、充分，应当以盗窃罪追究其刑事责任。其具有以下量刑"
                      "情节："),
                ("p", "1.被告人张某某到案后如实供述自己的罪行，依照《中华人民共和国刑法》第六十七条"
                      "第三款的规定，可以从轻处罚；"),
                ("p", "2.被告人张某某自愿认罪认罚，依照《中华人民共和国刑事诉讼法》第十五条的规定，"
                      "可以从宽处理；"),
                ("p", "3.被盗财物已追回并发还被害人，可以酌情从轻处罚。"),
                ("p", "根据《中华人民共和国刑事诉讼法》第一百七十六条第二款的规定，建议判处被告人"
                      "张某某有期徒刑七个月，并处罚金人民币二千元。"),
                ("p", "此致"),
                ("l", "深圳市南山区人民法院"),
                ("gap", 100),
                ("r", "检察官　王某"),
                ("r", "二〇二六年十一月十三日"),
                ("seal", A_PROC, ""),
            ],
        ],
    },
    "p3": {
        "pages": [
            [
                ("head", A_PROC),
                ("title", "起 诉 书"),
                ("no", "深南检刑诉〔2026〕1123号"),
                ("size", 40),
                ("p", "被告人" + SUSPECT + "。因涉嫌盗窃罪，于2026年10月31日被深圳市公安局南山"
                      "分局刑事拘留，经本院批准，于同年11月6日被逮捕。"),
                ("p", "本案由深圳市公安局南山分局侦查终结，以被告人张某某涉嫌盗窃罪，于2026年"
                      "11月10日向本院移送审查起诉。本院受理后，于2026年11月11日已告知被告人有权"
                      "委托辩护人，依法讯问了被告人，听取了值班律师的意见，审查了全部案件材料。"
                      "被告人张某某同意本案适用速裁程序审理。"),
                ("p", "经依法审查查明："),
                ("p", FACTS.format(who="被告人")),
                ("p", "认定上述事实的证据如下：1.物证：灰色连帽卫衣、黑色口罩；2.书证：受案"
                      "登记表、扣押清单、发还清单、到案经过、户籍证明等；3.被害人李某的陈述；"
                      "4.被告人张某某的供述和辩解；5.鉴定意见：价格认定结论书；6.视听资料："
                      "监控录像。"),
            ],
            [
                ("size", 40),
                ("p", "上述证据收集程序合法，内容客观真实，足以认定指控事实。被告人张某某对"
                      "指控的犯罪事实和证据没有异议，自愿认罪认罚，并在值班律师见证下签署了"
                      "认罪认罚具结书。"),
                ("p", "本院认为，被告人张某某以非法占有为目的，秘密窃取他人财物，数额较大，其行为"
                      "触犯了《中华人民共和国刑法》第二百六十四条，犯罪事实清楚，证据确实、充分，"
                      "应当以盗窃罪追究其刑事责任。被告人张某某到案后如实供述自己的罪行，依照"
                      "《中华人民共和国刑法》第六十七条第三款的规定，可以从轻处罚。被告人张某某"
                      "认罪认罚，依照《中华人民共和国刑事诉讼法》第十五条的规定，可以从宽处理。"
                      "建议判处被告人张某某有期徒刑七个月，并处罚金人民币二千元。根据《中华人民"
                      "共和国刑事诉讼法》第一百七十六条的规定，提起公诉，请依法判处。"),
                ("p", "此致"),
                ("l", "深圳市南山区人民法院"),
                ("gap", 80),
                ("r", "检察官　王某"),
                ("r", "二〇二六年十一月十三日"),
                ("seal", A_PROC, ""),
                ("gap", 60),
                ("l", "附：1.被告人张某某现羁押于深圳市南山区看守所；"),
                ("l", "　　2.案卷材料和证据3册；"),
                ("l", "　　3.认罪认罚具结书1份、量刑建议书1份；"),
                ("l", "　　4.本案建议适用速裁程序审理。"),
            ],
        ],
    },
    # -------------------------------------------------------------- court
    "c1": {
        "colour": [2],
        "pages": [
            [
                ("head", A_COURT),
                ("title", "刑 事 判 决 书"),
                ("no", "（2026）粤0305刑初1234号"),
                ("size", 40),
                ("p", "公诉机关深圳市南山区人民检察院。"),
                ("p", "被告人张某某，男，1990年3月15日出生，汉族，初中文化，无固定职业，户籍地"
                      "广东省深圳市南山区，住深圳市南山区西丽街道。因涉嫌犯盗窃罪于2026年10月31日"
                      "被刑事拘留，同年11月6日被逮捕。现羁押于深圳市南山区看守所。"),
                ("p", "值班律师陈某，广东某某律师事务所律师。"),
                ("p", "深圳市南山区人民检察院以深南检刑诉〔2026〕1123号起诉书指控被告人张某某犯"
                      "盗窃罪，于2026年11月13日向本院提起公诉，并建议适用速裁程序。本院受理后，"
                      "依法适用速裁程序，实行独任审判，于2026年11月20日公开开庭审理了本案。深圳市"
                      "南山区人民检察院指派检察官王某出庭支持公诉，被告人张某某到庭参加诉讼。"
                      "现已审理终结。"),
                ("p", "公诉机关指控，2026年10月30日19时40分许，被告人张某某在深圳市南山区南海"
                      "大道某号鑫源通讯器材店内，趁店员李某不备，窃取华为nova 13 Pro手机一部。"
                      "经认定，被盗手机价值人民币3,800元。2026年10月31日，被告人张某某被公安"
                      "机关抓获，被盗手机已追回并发还被害人。公诉机关认为，被告人张某某的行为"
                      "构成盗窃罪，建议判处有期徒刑七个月，并处罚金人民币二千元。"),
                ("p", "被告人张某某对指控的事实、罪名及量刑建议均无异议且签字具结，在开庭审理"
                      "过程中亦无异议。"),
            ],
            [
                ("size", 40),
                ("p", "本院认为，被告人张某某以非法占有为目的，秘密窃取他人财物，数额较大，其行为"
                      "已构成盗窃罪。公诉机关指控的事实清楚，证据确实、充分，指控罪名成立，量刑"
                      "建议适当，本院予以采纳。被告人张某某到案后如实供述自己的罪行，依法可以从轻"
                      "处罚；其自愿认罪认罚，依法可以从宽处理。依照《中华人民共和国刑法》第二百"
                      "六十四条、第六十七条第三款、第五十二条、第五十三条，《中华人民共和国刑事"
                      "诉讼法》第十五条、第二百零一条、第二百二十二条之规定，判决如下："),
                ("p", "被告人张某某犯盗窃罪，判处有期徒刑七个月，并处罚金人民币二千元。"),
                ("p", "（刑期从判决执行之日起计算。判决执行以前先行羁押的，羁押一日折抵刑期一日，"
                      "即自2026年10月31日起至2027年5月30日止。罚金于本判决发生法律效力之日起"
                      "十日内缴纳。）"),
                ("p", "如不服本判决，可在接到判决书的第二日起十日内，通过本院或者直接向广东省"
                      "深圳市中级人民法院提出上诉。书面上诉的，应当提交上诉状正本一份，副本二份。"),
                ("gap", 80),
                ("r", "审　判　员　　刘某某"),
                ("gap", 60),
                ("r", "二〇二六年十一月二十日"),
                ("seal", A_COURT, ""),
                ("stamp", "本件与原本核对无异"),
                ("gap", 40),
                ("r", "书　记　员　　赵　某"),
            ],
        ],
    },
}

# ------------------------------------------------------------------ rendering

_FONT_BUF = pymupdf.Font("cjk").buffer
_fonts: dict[int, ImageFont.FreeTypeFont] = {}
_glyphs = pymupdf.Font(fontbuffer=_FONT_BUF)

NO_LINE_START = set("，。、；：？！）》」』〕”’,.;:?!)%")
NO_LINE_END = set("（《「『〔“‘(¥")


def font(size: int) -> ImageFont.FreeTypeFont:
    if size not in _fonts:
        _fonts[size] = ImageFont.truetype(io.BytesIO(_FONT_BUF), size)
    return _fonts[size]


def check_glyphs(text: str) -> None:
    for ch in text:
        if ch in "☑\n" or ch.isspace():
            continue
        if not _glyphs.has_glyph(ord(ch)):
            raise ValueError(f"font has no glyph for {ch!r} in {text!r}")


def wrap(text: str, width: float, f: ImageFont.FreeTypeFont, indent: float = 0) -> list[str]:
    """Break text into lines of at most width px (punctuation may hang)."""
    lines: list[str] = []
    for k, para in enumerate(text.split("\n")):
        cur, curw = "", (indent if k == 0 else 0.0)
        for ch in para:
            w = f.getlength("□" if ch == "☑" else ch)
            if cur and curw + w > width and ch not in NO_LINE_START:
                carry = ""
                if ch.isascii() and ch.isalnum():  # do not split a word or number
                    while cur and cur[-1].isascii() and (cur[-1].isalnum() or cur[-1] in ",."):
                        carry = cur[-1] + carry
                        cur = cur[:-1]
                while cur and cur[-1] in NO_LINE_END:
                    carry = cur[-1] + carry
                    cur = cur[:-1]
                if not cur:
                    cur, carry = carry, ""
                lines.append(cur)
                cur, curw = carry, sum(f.getlength(c) for c in carry)
            cur += ch
            curw += w
        lines.append(cur)
    return lines


class PageRenderer:
    def __init__(self, rng: random.Random, colour_page: bool):
        self.rng = rng
        self.paper = PAPER_COLOUR if colour_page else PAPER_GREY
        self.img = Image.new("RGB", (W, H), self.paper)
        self.draw = ImageDraw.Draw(self.img)
        # overlays drawn in ink that multiplies (seals, pen, fingerprints)
        self.overlay = Image.new("RGB", (W, H), (255, 255, 255))
        self.y = TOP
        self.size = 44
        self.lh = 1.62  # line height as a multiple of the font size
        self.last_right: tuple[int, int] | None = None  # centre x, top y of right block
        self.right_top: int | None = None

    # -- primitives
    def text_line(self, x: float, y: float, line: str, f, fill=INK, bold=False,
                  justify_to: float | None = None) -> None:
        # justification: stretch only the gaps next to a CJK character
        stretch = [i for i in range(len(line) - 1)
                   if not (line[i].isascii() and line[i + 1].isascii())]
        extra = 0.0
        if justify_to is not None and stretch:
            natural = sum(f.getlength("□" if c == "☑" else c) for c in line)
            extra = (justify_to - natural) / len(stretch)
            if extra < 0 or extra > f.size * 0.35:
                extra = 0.0
        gaps = set(stretch)
        for i, ch in enumerate(line):
            gap = extra if i in gaps else 0.0
            if ch == "☑":
                self.draw.text((x, y), "□", font=f, fill=fill)
                s = f.size
                self.pen_tick(x + s * 0.2, y + s * 0.55, s)
                x += f.getlength("□") + gap
                continue
            self.draw.text((x, y), ch, font=f, fill=fill,
                           stroke_width=1 if bold else 0, stroke_fill=fill)
            x += f.getlength(ch) + gap

    def pen_tick(self, x: float, y: float, s: float) -> None:
        d = ImageDraw.Draw(self.overlay)
        pts = [(x, y), (x + s * 0.25, y + s * 0.3), (x + s * 0.75, y - s * 0.45)]
        d.line(pts, fill=PEN, width=max(3, s // 12), joint="curve")

    def need(self, h: float) -> None:
        if self.y + h > FOOTER_Y - 30:
            raise OverflowError(f"page overflow at y={self.y:.0f} (+{h:.0f})")

    def para(self, text: str, indent_chars: float, bold=False, size=None) -> None:
        f = font(size or self.size)
        lh = round(f.size * self.lh)
        indent = f.size * indent_chars
        lines = wrap(text, TEXT_W, f, indent)
        for i, line in enumerate(lines):
            self.need(lh)
            x0 = LEFT + (indent if i == 0 else 0)
            last = i == len(lines) - 1
            self.text_line(x0, self.y, line, f, bold=bold,
                           justify_to=None if last else LEFT + TEXT_W - x0)
            self.y += lh

    def centred(self, text: str, size: int, fill=INK, bold=False, spacing=0) -> None:
        f = font(size)
        w = f.getlength(text) + spacing * (len(text) - 1)
        x = (W - w) / 2
        self.need(size * 1.5)
        for ch in text:
            self.draw.text((x, self.y), ch, font=f, fill=fill,
                           stroke_width=1 if bold else 0, stroke_fill=fill)
            x += f.getlength(ch) + spacing
        self.y += round(size * 1.55)

    def right(self, text: str, size=None, pad_chars=2.0) -> None:
        f = font(size or self.size)
        lh = round(f.size * self.lh)
        self.need(lh)
        w = f.getlength(text)
        x = LEFT + TEXT_W - w - f.size * pad_chars
        if self.right_top is None:
            self.right_top = self.y
        self.text_line(x, self.y, text, f)
        self.last_right = (round(x + w / 2), self.y)
        self.y += lh

    # -- blocks
    def block(self, b: tuple) -> None:
        kind = b[0]
        if kind != "r" and kind not in ("seal", "stamp"):
            self.right_top = None
        if kind == "size":
            self.size = b[1]
            self.lh = b[2] if len(b) > 2 else 1.62
        elif kind == "gap":
            self.y += b[1]
        elif kind == "bottom":  # continue at a fixed distance above the footer
            self.y = max(self.y, FOOTER_Y - b[1])
        elif kind == "head":
            self.centred(b[1], 54, spacing=4)
        elif kind == "redhead":
            self.centred(b[1], 80, fill=RED, bold=True, spacing=6)
            self.y += 10
        elif kind == "title":
            self.y += 6
            self.centred(b[1], 66, bold=True, spacing=4)
        elif kind == "no":
            f = font(40)
            text = b[1]
            align = b[2] if len(b) > 2 else "right"
            w = f.getlength(text)
            x = (W - w) / 2 if align == "center" else LEFT + TEXT_W - w
            self.need(60)
            self.text_line(x, self.y, text, f)
            self.y += 70
        elif kind == "rule":
            self.draw.rectangle([LEFT - 20, self.y, LEFT + TEXT_W + 20, self.y + 4], fill=RED)
            self.y += 40
        elif kind == "p":
            self.para(b[1], 2)
        elif kind == "l":
            self.para(b[1], 0)
        elif kind == "h":
            self.para(b[1], 2, bold=True)
        elif kind == "small":
            self.para(b[1], 0, size=30)
        elif kind == "r":
            self.right(b[1])
        elif kind == "pen":
            self.pen_text(LEFT + self.size * 2, self.y, b[1], 46)
            self.y += 80
        elif kind == "sign":
            self.sign(b[1], b[2], b[3] if len(b) > 3 else True)
        elif kind == "seal":
            dx, dy = (b[3], b[4]) if len(b) > 3 else (0, 0)
            self.seal_near(b[1], b[2], dx, dy)
        elif kind == "stamp":
            self.stamp(b[1])
        elif kind == "table":
            self.table(b[1], b[2] if len(b) > 2 else 36)
        else:
            raise ValueError(f"unknown block {kind}")

    def sign(self, label: str, name: str, fingerprint: bool) -> None:
        f = font(self.size)
        lh = round(f.size * 1.62)
        self.need(lh + 30)
        x = LEFT + TEXT_W * 0.45
        self.text_line(x, self.y + 14, label, f)
        nx = x + f.getlength(label) + 16
        self.pen_text(nx, self.y, name, 62)
        if fingerprint:
            self.fingerprint(nx + 62 * len(name) + 60, self.y + 40)
        self.y += lh + 30

    def pen_text(self, x: float, y: float, text: str, size: int) -> None:
        """Pen-written text: slanted, slightly irregular, blue-black ink."""
        rng = self.rng
        f = font(size)
        for ch in text:
            s = size + rng.randint(-4, 6)
            tile = Image.new("L", (s * 2, s * 2), 0)
            ImageDraw.Draw(tile).text((s // 2, s // 3), ch, font=font(s), fill=255,
                                      stroke_width=1, stroke_fill=255)
            tile = tile.transform(tile.size, Image.Transform.AFFINE,
                                  (1, 0.25, -s * 0.25, 0, 1, 0), Image.Resampling.BILINEAR)
            tile = tile.rotate(rng.uniform(-6, 6), Image.Resampling.BILINEAR)
            ink = Image.new("RGB", tile.size, PEN)
            self.overlay.paste(ink, (round(x - s / 2), round(y + rng.randint(-5, 5) - s / 3)), tile)
            x += f.getlength(ch) * rng.uniform(0.82, 0.98)

    def fingerprint(self, cx: float, cy: float) -> None:
        rng = self.rng
        size = 120
        tile = Image.new("L", (size, size), 0)
        d = ImageDraw.Draw(tile)
        for k in range(2, 14):
            rx, ry = k * 3.2, k * 4.2
            d.ellipse([size / 2 - rx, size / 2 - ry, size / 2 + rx, size / 2 + ry],
                      outline=rng.randint(150, 235), width=2)
        tile = tile.rotate(rng.uniform(-25, 25), Image.Resampling.BILINEAR)
        tile = tile.filter(ImageFilter.GaussianBlur(0.8))
        ink = Image.new("RGB", tile.size, SEAL_RED)
        self.overlay.paste(ink, (round(cx - size / 2), round(cy - size / 2)), tile)

    def seal_near(self, name: str, bottom: str, dx: int, dy: int) -> None:
        if self.last_right is None:
            cx, cy = LEFT + TEXT_W - 330, self.y - 120
        else:
            cx = self.last_right[0]
            cy = ((self.right_top or self.last_right[1]) + self.last_right[1]) // 2 + 30
        cx += dx + self.rng.randint(-25, 25)
        cy += dy + self.rng.randint(-20, 20)
        self.seal(cx, cy, name, bottom)

    def seal(self, cx: int, cy: int, name: str, bottom: str) -> None:
        """Round official seal: ring, five-pointed star, name along the arc."""
        rng = self.rng
        r = 165
        size = 2 * r + 40
        c = size / 2
        mask = Image.new("L", (size, size), 0)
        d = ImageDraw.Draw(mask)
        d.ellipse([c - r, c - r, c + r, c + r], outline=255, width=10)
        star = []
        for i in range(10):
            a = -math.pi / 2 + i * math.pi / 5
            rr = 58 if i % 2 == 0 else 23
            star.append((c + rr * math.cos(a), c + rr * math.sin(a)))
        d.polygon(star, fill=255)
        fs = 50 if len(name) <= 10 else 44
        span = min(250.0, 21.0 * len(name))
        for i, ch in enumerate(name):
            theta = -span / 2 + span * (i + 0.5) / len(name)
            t = Image.new("L", (fs + 20, fs + 20), 0)
            ImageDraw.Draw(t).text((10, 4), ch, font=font(fs), fill=255,
                                   stroke_width=1, stroke_fill=255)
            t = t.rotate(-theta, Image.Resampling.BICUBIC)
            rad = r - 18 - fs / 2
            px = c + rad * math.sin(math.radians(theta))
            py = c - rad * math.cos(math.radians(theta))
            mask.paste(255, (round(px - t.width / 2), round(py - t.height / 2)), t)
        if bottom:
            bf = font(34)
            w = bf.getlength(bottom)
            d.text((c - w / 2, c + 68), bottom, font=bf, fill=255)
        # uneven inking
        blot = Image.frombytes("L", (size // 8, size // 8),
                               rng.randbytes((size // 8) ** 2))
        blot = blot.resize((size, size), Image.Resampling.BICUBIC)
        blot = blot.point(lambda v: 120 + v * 135 // 255)
        mask = ImageChops.multiply(mask, blot)
        mask = mask.rotate(rng.uniform(-12, 12), Image.Resampling.BICUBIC)
        mask = mask.filter(ImageFilter.GaussianBlur(0.7))
        ink = Image.new("RGB", mask.size, SEAL_RED)
        layer = Image.new("RGB", mask.size, (255, 255, 255))
        layer.paste(ink, (0, 0), mask)
        box = (round(cx - c), round(cy - c))
        region = self.overlay.crop((box[0], box[1], box[0] + size, box[1] + size))
        self.overlay.paste(ImageChops.multiply(region, layer), box)

    def stamp(self, text: str) -> None:
        f = font(34)
        w = round(f.getlength(text)) + 36
        h = 62
        x = LEFT + 40
        y = (self.last_right[1] if self.last_right else self.y) - 10
        mask = Image.new("L", (w, h), 0)
        d = ImageDraw.Draw(mask)
        d.rectangle([1, 1, w - 2, h - 2], outline=255, width=4)
        d.text((18, 10), text, font=f, fill=255)
        mask = mask.rotate(self.rng.uniform(-3, 3), Image.Resampling.BICUBIC, expand=True)
        ink = Image.new("RGB", mask.size, SEAL_RED)
        self.overlay.paste(ink, (x, y), mask)

    def table(self, rows: list[list[tuple]], size: int = 36) -> None:
        f = font(size)
        lh = round(size * 1.45)
        pad = 14
        x_left, x_right = LEFT - 20, LEFT + TEXT_W + 20
        tw = x_right - x_left
        top = self.y
        for row in rows:
            cells = []
            x = x_left
            for cell in row:
                text, frac = cell[0], cell[1]
                align = cell[2] if len(cell) > 2 else "l"
                cw = round(tw * frac)
                lines = wrap(text, cw - 2 * pad, f)
                cells.append((x, cw, lines, align))
                x += cw
            rh = max(len(c[2]) for c in cells) * lh + 2 * pad
            self.need(rh)
            for x, cw, lines, align in cells:
                ty = self.y + (rh - len(lines) * lh) / 2 if align == "c" else self.y + pad
                for line in lines:
                    lw = sum(f.getlength("□" if ch == "☑" else ch) for ch in line)
                    tx = x + (cw - lw) / 2 if align == "c" else x + pad
                    self.text_line(tx, ty + 4, line, f)
                    ty += lh
                self.draw.line([(x, self.y), (x, self.y + rh)], fill=INK, width=3)
            self.draw.line([(x_left, self.y), (x_right, self.y)], fill=INK, width=3)
            self.y += rh
            self.draw.line([(x_right, top), (x_right, self.y)], fill=INK, width=3)
        self.draw.line([(x_left, self.y), (x_right, self.y)], fill=INK, width=3)
        self.draw.rectangle([x_left - 3, top - 3, x_right + 3, self.y + 3], outline=INK, width=2)
        self.y += 10

    def footer(self, n: int, m: int) -> None:
        f = font(32)
        text = f"第 {n} 页　共 {m} 页"
        self.draw.text(((W - f.getlength(text)) / 2, FOOTER_Y + 40), text, font=f, fill=INK)

    def result(self) -> Image.Image:
        return ImageChops.multiply(self.img, self.overlay)


# ------------------------------------------------------------- scan simulation

def _gauss_lut(sigma: float) -> list[int]:
    nd = statistics.NormalDist(0, sigma)
    return [max(0, min(255, 128 + round(nd.inv_cdf((u + 0.5) / 256)))) for u in range(256)]


def _frame_mask(rng: random.Random) -> Image.Image:
    """Faint shadow along the paper edge (scanner lid / page edge)."""
    mask = Image.new("L", (W, H), 255)
    d = ImageDraw.Draw(mask)
    for side in ("l", "t", "r", "b"):
        width = rng.randint(8, 30) if side in "lt" else rng.randint(4, 14)
        dark = rng.randint(40, 90) if side in "lt" else rng.randint(15, 45)
        for i in range(width):
            v = 255 - round(dark * (1 - i / width) ** 2)
            if side == "l":
                d.line([(i, 0), (i, H)], fill=v)
            elif side == "r":
                d.line([(W - 1 - i, 0), (W - 1 - i, H)], fill=v)
            elif side == "t":
                d.line([(0, i), (W, i)], fill=v)
            else:
                d.line([(0, H - 1 - i), (W, H - 1 - i)], fill=v)
    return mask


def scan(page: Image.Image, rng: random.Random, colour: bool, paper: tuple,
         clean: bool = False) -> Image.Image:
    """Turn a clean rendered page into something that looks scanned."""
    img = page if colour else page.convert("L")
    fill = paper if colour else Image.new("RGB", (1, 1), paper).convert("L").getpixel((0, 0))
    # binding holes (三孔一线) show as grey dots in the left margin
    d = ImageDraw.Draw(img)
    hx = rng.randint(60, 80)
    for hy in (H // 2 - 600, H // 2, H // 2 + 600):
        hy += rng.randint(-6, 6)
        d.ellipse([hx - 11, hy - 11, hx + 11, hy + 11],
                  fill=(150, 150, 150) if colour else 150)
    img = img.filter(ImageFilter.GaussianBlur(BLUR))
    angle = rng.uniform(0.25, 1.4) * rng.choice((-1, 1))
    img = img.rotate(angle, Image.Resampling.BICUBIC, fillcolor=fill)
    frame = _frame_mask(rng)
    if colour:
        frame = Image.merge("RGB", (frame, frame, frame))
    img = ImageChops.multiply(img, frame)
    # sensor noise: a seeded gaussian field, coarser than a pixel (scanner MTF)
    sigma = 2.0 if clean else NOISE_SIGMA
    nw, nh = W // NOISE_SCALE, H // NOISE_SCALE
    noise = Image.frombytes("L", (nw, nh), rng.randbytes(nw * nh)).point(_gauss_lut(sigma))
    noise = noise.resize((W, H), Image.Resampling.BILINEAR)
    if colour:
        noise = Image.merge("RGB", (noise, noise, noise))
    img = ImageChops.add(img, noise, 1.0, -128)
    # dust and speckle
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(60, 160)):
        x, y = rng.randrange(W), rng.randrange(H)
        r = rng.choice((1, 1, 1, 1, 2, 2, 3))
        v = rng.randint(70, 190)
        d.ellipse([x - r, y - r, x + r, y + r], fill=(v, v, v) if colour else v)
    for _ in range(rng.randint(1, 3)):  # a hair or a fibre
        x, y = rng.randrange(W), rng.randrange(H)
        pts = [(x, y)]
        for _ in range(6):
            x += rng.randint(-25, 25)
            y += rng.randint(5, 30)
            pts.append((x, y))
        v = rng.randint(120, 180)
        d.line(pts, fill=(v, v, v) if colour else v, width=2)
    if clean:
        # "background clean-up" as scanner drivers do; keeps the PNG small
        img = img.point(lambda v: 255 if v >= 215 else v - v % 16)
    return img


# ------------------------------------------------------------------- driver

def page_seed(doc_id: str, n: int) -> int:
    return GLOBAL_SEED ^ zlib.crc32(f"{doc_id}/{n}".encode())


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _strings(item)


def render_page(doc_id: str, n: int, m: int, blocks: list, colour: bool):
    """Lay out one page; returns the clean page, its random generator and the paper colour."""
    rng = random.Random(page_seed(doc_id, n))
    pr = PageRenderer(rng, colour)
    for b in blocks:
        for text in _strings(b[1:]):
            check_glyphs(text)
        try:
            pr.block(b)
        except OverflowError as e:
            raise OverflowError(f"{doc_id} page {n}: {e} in block {b[0]} {str(b[1])[:20]!r}") from None
    pr.footer(n, m)
    return pr.result(), rng, pr.paper


def save(img: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    if path.suffix.lower() == ".png":
        img.save(buf, "PNG", dpi=(DPI, DPI), optimize=True)
    elif path.suffix.lower() in (".jpg", ".jpeg"):
        img.save(buf, "JPEG", quality=JPEG_QUALITY_GREY if img.mode == "L" else JPEG_QUALITY_COLOUR, dpi=(DPI, DPI),
                 optimize=True)
    else:
        raise ValueError(f"unsupported image type: {path}")
    path.write_bytes(buf.getvalue())


def sources(root: Path = SAMPLES):
    for case in CASES:
        for src in SOURCES:
            folder = root / case / src
            yield case, src, folder, tomllib.loads((folder / "dossier.toml").read_text("utf-8"))


def generate(out_root: Path) -> list[Path]:
    """Render every page named in the sample dossier.toml files under out_root."""
    written = []
    for case, src, folder, spec in sources():
        if not uscc_valid(spec["agency"]["credit_code"]):
            raise ValueError(f"{src}: credit code {spec['agency']['credit_code']} fails GB 32100")
        for person in spec.get("persons", []):
            number = person["id_number"]
            if id_check(number[:17]) != number[17]:
                raise ValueError(f"{src}: ID number of {person['name']} fails GB 11643")
        for doc in spec.get("documents", []):
            content = CONTENT.get(doc["id"])
            if content is None:
                raise KeyError(f"{src}: no page content for document {doc['id']}")
            pages = content["pages"]
            files = doc["files"]
            if len(pages) != len(files):
                raise ValueError(f"{doc['id']}: {len(files)} files but {len(pages)} pages")
            if "number" in doc:
                first = "".join(str(p) for b in pages[0] for p in b[1:])
                if doc["number"] not in first:
                    raise ValueError(f"{doc['id']}: 文号 {doc['number']} not on page 1")
            for n, (blocks, rel) in enumerate(zip(pages, files, strict=True), start=1):
                colour = n in content.get("colour", [])
                page, rng, paper = render_page(doc["id"], n, len(pages), blocks, colour)
                clean = rel.lower().endswith(".png")
                img = scan(page, rng, colour, paper, clean=clean)
                target = out_root / case / src / rel
                save(img, target)
                written.append(target)
    return written


def environment() -> dict[str, str]:
    return {
        "freetype2": features.version("freetype2") or "",
        "jpg": features.version("jpg") or "",
        "zlib": features.version("zlib") or "",
        "font_crc32": f"{zlib.crc32(_FONT_BUF):08x}",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--out", type=Path, help="write into DIR (mirrors samples/) instead of in place")
    g.add_argument("--check", action="store_true",
                   help="verify the committed images are what this script generates")
    args = ap.parse_args(argv)

    env = environment()
    if env != GENERATED_WITH:
        print(f"note: library versions differ from the ones the committed scans were made with:"
              f" {env} != {GENERATED_WITH}", file=sys.stderr)

    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            written = generate(Path(tmp))
            bad = []
            for p in written:
                rel = p.relative_to(tmp)
                committed = SAMPLES / rel
                if not committed.is_file() or committed.read_bytes() != p.read_bytes():
                    bad.append(str(rel))
            expected = {p.relative_to(tmp) for p in written}
            for case in CASES:
                for extra in sorted((SAMPLES / case).glob("*/scans/*")):
                    if extra.relative_to(SAMPLES) not in expected:
                        bad.append(f"{extra.relative_to(SAMPLES)} (not listed in any dossier.toml)")
        if bad:
            print("scans differ from generated output:\n  " + "\n  ".join(bad), file=sys.stderr)
            return 1
        print(f"ok: {len(written)} scans match")
        return 0

    out = args.out if args.out else SAMPLES
    written = generate(out)
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} scans, {total / 1e6:.2f} MB, under {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
