"""Realistic CNMARC test records, generated: the import benchmark's input and a source of round-trip cases.

The records look like a 馆配商's delivery to a school: dp2-style CNMARC in UTF-8 with valid ISBN-13s and
prices, 中图法 classes weighted towards literature, 701/702 authors, and 905 holdings with unique barcodes. As in a
real delivery, no two records share an ISBN or a call number: each class's 种次号 runs 1, 2, 3… through the file.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from .iso2709 import encode_record
from .record import MarcField, MarcRecord

# Raised whenever the same seed starts giving other bytes, so that files cached by the benchmark are made again.
VERSION = 2
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅文辉林晓雪婷宇浩然子轩欣怡思远志鹏海燕春秋"
_WORDS = "".join(
    (
        "中国 世界 历史 故事 科学 儿童 文学 数学 自然 少年 成长 读本 百科 童话 诗词 经典 名著 动物 植物 宇宙 地球 ",
        "海洋 恐龙 昆虫 森林 星空 时间 旅行 冒险 友谊 勇气 梦想 小学生 中学生 作文 阅读 语文 英语 物理 化学 生物 ",
        "地理 艺术 音乐 绘画 书法 成语 寓言 神话 传说 英雄 人物 传记 发明 发现 探索 秘密 奇迹 魔法 学校 老师 家庭 ",
        "妈妈 爸爸 小猫 小狗 春天 夏天 秋天 冬天 山水 城市 乡村 长江 黄河 丝绸之路 唐诗 宋词 三国 西游 水浒 红楼",
    )
).split(" ")
_SUFFIXES = ("", "", "", "的故事", "读本", "全集", "研究", "入门", "百问", "大全", "手册", "趣谈")
_PUBLISHERS = (
    ("北京", "人民文学出版社", "02"),
    ("北京", "中华书局", "101"),
    ("北京", "商务印书馆", "100"),
    ("北京", "中国少年儿童出版社", "5007"),
    ("北京", "人民教育出版社", "107"),
    ("北京", "科学出版社", "03"),
    ("北京", "作家出版社", "5063"),
    ("上海", "上海译文出版社", "5327"),
    ("上海", "少年儿童出版社", "5324"),
    ("南京", "江苏凤凰少年儿童出版社", "5346"),
    ("杭州", "浙江少年儿童出版社", "5342"),
    ("长沙", "湖南少年儿童出版社", "5358"),
    ("南宁", "接力出版社", "5448"),
    ("济南", "明天出版社", "5332"),
    ("天津", "新蕾出版社", "5307"),
    ("南昌", "二十一世纪出版社", "5391"),
    ("成都", "四川少年儿童出版社", "5365"),
    ("武汉", "长江少年儿童出版社", "5560"),
)
_CLASSES = (
    ("I247.5", 6),
    ("I287.5", 8),
    ("I287.8", 3),
    ("I712.45", 4),
    ("I561.45", 2),
    ("I207.22", 2),
    ("K209", 2),
    ("K827", 2),
    ("G624.2", 3),
    ("G634.3", 2),
    ("H319.4", 2),
    ("N49", 3),
    ("Q95-49", 2),
    ("P1-49", 1),
    ("J228.7", 1),
    ("TP311.1", 1),
    ("Z228.1", 2),
)
_SUBJECTS = ("儿童小说", "长篇小说", "童话", "科学知识", "故事", "古典诗歌", "汉语", "英语", "数学课", "动物", "历史")
_SUBDIVISIONS = ("中国", "当代", "少儿读物", "小学", "初中", "教学参考资料", "普及读物")
_CLASS_NAMES = [c for c, _ in _CLASSES]
_CLASS_WEIGHTS = [w for _, w in _CLASSES]


def _isbn(rnd: random.Random, group: str) -> str:
    """A valid ISBN-13 of the publisher's prefix, hyphenated as printed: 978-7-5324-1234-5."""
    title = f"{rnd.randrange(10 ** (8 - len(group))):0{8 - len(group)}d}"
    body = f"9787{group}{title}"
    check = (10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body)) % 10) % 10
    return f"978-7-{group}-{title}-{check}"


@dataclass(slots=True)
class Numbering:
    """What must not repeat within one delivery: the next barcode, the ISBNs given out, each class's last 种次号."""

    barcode: int = 1
    isbns: set[str] = field(default_factory=set)
    running: Counter[str] = field(default_factory=Counter)


# Tries at a fresh ISBN before a duplicate is let through: the shortest publisher prefixes leave 10,000 titles.
_ISBN_TRIES = 50


def _name(rnd: random.Random) -> str:
    return rnd.choice(_SURNAMES) + "".join(rnd.choice(_GIVEN) for _ in range(rnd.choice((1, 2, 2))))


def generate_record(rnd: random.Random, number: int, numbering: Numbering) -> MarcRecord:
    """One record, numbered on from ``numbering``, which it updates."""
    for _try in range(_ISBN_TRIES):
        place, publisher, group = rnd.choice(_PUBLISHERS)
        isbn = _isbn(rnd, group)
        if isbn not in numbering.isbns:
            break
    numbering.isbns.add(isbn)
    year = rnd.randint(1995, 2024)
    entered = f"{rnd.randint(max(year, 2005), 2024)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
    title = "".join(rnd.choice(_WORDS) for _ in range(rnd.choice((1, 2, 2, 3)))) + rnd.choice(_SUFFIXES)
    author = _name(rnd)
    translator = _name(rnd) if rnd.random() < 0.2 else ""
    cls = rnd.choices(_CLASS_NAMES, _CLASS_WEIGHTS)[0]
    numbering.running[cls] += 1
    book_number = str(numbering.running[cls])
    fields = [
        MarcField.control("001", f"0120{year}{number:07d}"),
        MarcField.control("005", f"{entered}103000.0"),
        MarcField("010", "  ", [("a", isbn), ("d", f"CNY{rnd.randint(98, 9800) / 100:.2f}")]),
        MarcField("100", "  ", [("a", f"{entered}d{year}    em y0chiy50      ea")]),
        MarcField("101", "0 ", [("a", "chi")]),
        MarcField("102", "  ", [("a", "CN"), ("b", "110000")]),
        MarcField("105", "  ", [("a", "y   z   000yy")]),
        MarcField("106", "  ", [("a", "r")]),
    ]
    title_field = [("a", title), ("f", f"{author}著")]
    if translator:
        title_field.append(("g", f"{translator}译"))
    fields.append(MarcField("200", "1 ", title_field))
    if rnd.random() < 0.15:
        fields.append(MarcField("205", "  ", [("a", f"{rnd.randint(2, 5)}版")]))
    fields.append(MarcField("210", "  ", [("a", place), ("c", publisher), ("d", str(year))]))
    physical = [("a", f"{rnd.randint(48, 480)}页")]
    if rnd.random() < 0.5:
        physical.append(("c", rnd.choice(("图", "彩图", "图，照片"))))
    physical.append(("d", f"{rnd.choice((19, 21, 23, 24, 26))}cm"))
    fields.append(MarcField("215", "  ", physical))
    if rnd.random() < 0.2:
        fields.append(MarcField("225", "2 ", [("a", rnd.choice(_WORDS) + rnd.choice(("丛书", "文库", "书系")))]))
    if rnd.random() < 0.4:
        summary = "本书" + "，".join(rnd.choice(_WORDS) + rnd.choice(_WORDS) for _ in range(rnd.randint(8, 30))) + "。"
        fields.append(MarcField("330", "  ", [("a", summary)]))
    for _ in range(rnd.choice((1, 1, 2))):
        subject = [("a", rnd.choice(_SUBJECTS))]
        if rnd.random() < 0.7:
            subject.append(("x", rnd.choice(_SUBDIVISIONS)))
        fields.append(MarcField("606", "0 ", subject))
    fields.append(MarcField("690", "  ", [("a", cls), ("v", "5")]))
    fields.append(MarcField("701", " 0", [("a", author), ("4", "著")]))
    if translator:
        fields.append(MarcField("702", " 0", [("a", translator), ("4", "译")]))
    fields.append(MarcField("801", " 0", [("a", "CN"), ("b", "XT"), ("c", entered)]))
    copies = rnd.choice((1, 1, 2, 2, 3))
    holding: list[tuple[str, str]] = [("a", "XT")]
    holding.extend(("b", f"{numbering.barcode + i:08d}") for i in range(copies))
    holding.extend([("d", cls), ("e", book_number), ("s", f"{cls}/{book_number}")])
    fields.append(MarcField("905", "  ", holding))
    numbering.barcode += copies
    return MarcRecord("00000nam0 2200000   450 ", fields)


def generate_cnmarc(n: int, seed: int = 0) -> bytes:
    """``n`` realistic CNMARC records as one ISO 2709 file in UTF-8; the same ``seed`` gives the same bytes."""
    rnd = random.Random(seed)
    numbering = Numbering()
    return b"".join(encode_record(generate_record(rnd, number, numbering), "utf-8") for number in range(1, n + 1))
