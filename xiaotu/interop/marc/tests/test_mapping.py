"""What a record means: CNMARC/UNIMARC and MARC21 fields mapped to BibRecord."""

from __future__ import annotations

from decimal import Decimal

from xiaotu.interop.marc import MarcField, MarcRecord, map_record


def f(tag: str, indicators: str, *subfields: str) -> MarcField:
    return MarcField(tag, indicators, [(s[0], s[1:]) for s in subfields])


def cnmarc(*fields: MarcField) -> MarcRecord:
    return MarcRecord("00000nam0 2200000   450 ", [MarcField.control("001", "012024000001"), *fields])


def marc21(*fields: MarcField) -> MarcRecord:
    return MarcRecord("00000nam a2200000 i 4500", [MarcField.control("001", "ocm123"), *fields])


def test_cnmarc_title_statement() -> None:
    """200: first $a is the title, more $a and $d are other titles, $e other title info, $f/$g responsibility."""
    record = cnmarc(
        f(
            "200",
            "1 ",
            "a杜诗详注",
            "9du shi xiang zhu",
            "b专著",
            "a杜诗镜铨",
            "dDu's poems",
            "e全2册",
            "e注释本",
            "h第1卷",
            "i诗集",
            "f(唐)杜甫撰",
            "g(清)仇兆鳌注",
        ),
        f("517", "1 ", "a杜工部集"),
    )

    bib, issues = map_record(record, "cnmarc")

    assert bib.title == "杜诗详注"
    assert bib.title_pinyin == "du shi xiang zhu"
    assert bib.other_titles == ["杜诗镜铨", "Du's poems", "杜工部集"]
    assert bib.subtitle == "全2册 : 注释本"
    assert (bib.part_number, bib.part_name) == ("第1卷", "诗集")
    assert bib.responsibility == ["(唐)杜甫撰", "(清)仇兆鳌注"]
    assert bib.control_number == "012024000001"
    assert issues == []


def test_cnmarc_isbn_price_and_invalid_numbers() -> None:
    """010 $a valid ISBNs become ISBN-13; a bad one and $z are kept as given, with a warning."""
    record = cnmarc(
        f("010", "  ", "a7-5037-1744-0", "b精装", "d68.00元"),
        f("010", "  ", "a978-7-5037-1744-4"),
        f("010", "  ", "a7-5037-1744-1", "z7-999-99999-9"),
        f("200", "1 ", "a书"),
    )

    bib, issues = map_record(record, "cnmarc")

    assert bib.isbns == ["9787503717444"]
    assert bib.invalid_isbns == ["7-5037-1744-1", "7-999-99999-9"]
    assert (bib.price, bib.currency, bib.price_text) == (Decimal("68.00"), "CNY", "68.00元")
    assert issues == [("isbn_invalid", {"value": "7-5037-1744-1"})]


def test_cnmarc_publication_description_series_summary() -> None:
    record = cnmarc(
        f("100", "  ", "a20180914d2018    em y0chiy50      ea"),
        f("101", "1 ", "achi", "aeng", "ceng"),
        f("200", "1 ", "a小王子"),
        f("205", "  ", "a2版"),
        f("214", " 0", "a北京", "c中译出版社", "d2022"),
        f("215", "  ", "a10,112页", "c图", "d21cm"),
        f("225", "2 ", "a世界经典文学名著", "v12"),
        f("225", "2 ", "a双语译林"),
        f("330", "  ", "a第一段。"),
        f("330", "  ", "a第二段。"),
    )

    bib, _ = map_record(record, "cnmarc")

    assert bib.edition == "2版"
    assert (bib.place, bib.publisher, bib.date, bib.year) == ("北京", "中译出版社", "2022", 2022)
    assert (bib.pages, bib.illustrations, bib.size) == ("10,112页", "图", "21cm")
    assert bib.series == ["世界经典文学名著 ; 12", "双语译林"]
    assert bib.summary == "第一段。\n第二段。"
    assert bib.languages == ["chi", "eng"]


def test_cnmarc_year_falls_back_to_100() -> None:
    bib, _ = map_record(
        cnmarc(f("100", "  ", "a19940723d1993    em y0chiy0121    ea"), f("200", "1 ", "a书")), "cnmarc"
    )

    assert bib.year == 1993


def test_cnmarc_subjects_classes_and_authors() -> None:
    record = cnmarc(
        f("200", "1 ", "a书"),
        f("600", " 0", "a鲁迅", "x传记"),
        f("606", "0 ", "a经济发展", "x概况", "y中国", "z1994", "j统计资料"),
        f("607", " 0", "a北京", "x地方史"),
        f("610", "0 ", "a童话", "a寓言"),
        f("690", "  ", "aF124", "v5"),
        f("690", "  ", "aF12", "v4"),
        f("702", " 0", "a张玲", "Azhang ling", "4译"),
        f("701", " 0", "c(英)", "a奥斯丁", "9ao si ding", "4著"),
        f("711", "02", "a中国科学院", "b植物研究所", "4编"),
        f("700", " 1", "aAsimov", "bIsaac", "4070"),
    )

    bib, _ = map_record(record, "cnmarc")

    assert [str(s) for s in bib.subjects] == [
        "鲁迅--传记",
        "经济发展--概况--中国--1994--统计资料",
        "北京--地方史",
        "童话",
        "寓言",
    ]
    assert [s.kind for s in bib.subjects] == ["person", "topic", "place", "keyword", "keyword"]
    assert bib.subjects[1].subdivisions == [
        ("topic", "概况"),
        ("place", "中国"),
        ("time", "1994"),
        ("form", "统计资料"),
    ]
    assert (bib.clc_classes, bib.clc_class, bib.clc_edition) == (["F124", "F12"], "F124", "5")
    assert [(a.name, a.role, a.kind, a.level, a.pinyin) for a in bib.authors] == [
        ("Asimov, Isaac", "070", "person", "primary", ""),
        ("奥斯丁", "著", "person", "alternative", "ao si ding"),
        ("张玲", "译", "person", "secondary", "zhang ling"),
        ("中国科学院植物研究所", "编", "corporate", "alternative", ""),
    ]
    assert bib.authors[1].sort_key == "aosiding"


def test_a_record_without_a_title_is_flagged() -> None:
    _, issues = map_record(cnmarc(f("690", "  ", "aI247.5")), "cnmarc")

    assert ("no_title", {}) in issues


def test_non_sorting_marks_are_dropped_from_titles() -> None:
    bib, _ = map_record(cnmarc(f("200", "1 ", "a\x88L'\x89altra faccia della spirale")), "unimarc")

    assert bib.title == "L'altra faccia della spirale"


def test_marc21_title_and_responsibility_without_isbd_punctuation() -> None:
    record = marc21(
        f("245", "10", "aPride and prejudice :", "ba novel /", "cby Jane Austen ; edited by James Kinsley."),
        f("246", "3 ", "aPride & prejudice"),
        f("250", "  ", "a2nd ed."),
        f("264", " 4", "c©2004"),
        f("264", " 1", "aOxford :", "bOxford University Press,", "c2004."),
        f("300", "  ", "axxxii, 342 p. :", "bill. ;", "c20 cm."),
        f("490", "1 ", "aOxford world's classics ;", "v12"),
        f("830", " 0", "aOxford world's classics (Oxford University Press)"),
        f("520", "  ", "aA novel of manners."),
    )

    bib, _ = map_record(record, "marc21")

    assert (bib.title, bib.subtitle) == ("Pride and prejudice", "a novel")
    assert bib.responsibility == ["by Jane Austen", "edited by James Kinsley"]
    assert bib.other_titles == ["Pride & prejudice"]
    assert bib.edition == "2nd ed."
    assert (bib.place, bib.publisher, bib.date, bib.year) == ("Oxford", "Oxford University Press", "2004", 2004)
    assert (bib.pages, bib.illustrations, bib.size) == ("xxxii, 342 p.", "ill.", "20 cm.")
    assert bib.series == ["Oxford world's classics ; 12", "Oxford world's classics (Oxford University Press)"]
    assert bib.summary == "A novel of manners."


def test_marc21_isbn_price_language_class_subjects_authors() -> None:
    record = marc21(
        MarcField.control("008", "100201s2004    cc a          000 1 chi d"),
        f("020", "  ", "a9787020002207 (pbk.)", "cCNY25.00"),
        f("020", "  ", "z7020002201"),
        f("041", "1 ", "achieng", "hfre"),
        f("084", "  ", "aI565.44", "2clc"),
        f("084", "  ", "a823", "2ddc"),
        f("100", "1 ", "aAusten, Jane,", "d1775-1817,", "eauthor."),
        f("245", "10", "a傲慢与偏见"),
        f("650", " 0", "aCourtship", "zEngland", "vFiction."),
        f("600", "10", "aAusten, Jane,", "d1775-1817", "xCriticism and interpretation."),
        f("700", "1 ", "a张玲,", "etranslator."),
        f("710", "2 ", "aRen min wen xue chu ban she."),
    )

    bib, _ = map_record(record, "marc21")

    assert bib.isbns == ["9787020002207"]
    assert bib.invalid_isbns == ["7020002201"]
    assert (bib.price, bib.currency) == (Decimal("25.00"), "CNY")
    assert bib.languages == ["chi", "eng"]
    assert bib.clc_classes == ["I565.44"]
    assert [str(s) for s in bib.subjects] == [
        "Courtship--England--Fiction",
        "Austen, Jane, 1775-1817--Criticism and interpretation",
    ]
    assert [(a.name, a.role, a.kind, a.level) for a in bib.authors] == [
        ("Austen, Jane", "author", "person", "primary"),
        ("张玲", "translator", "person", "alternative"),
        ("Ren min wen xue chu ban she", "", "corporate", "alternative"),
    ]
    assert bib.year == 2004


def test_marc21_880_vernacular_is_preferred_and_unlinked_880_stands_alone() -> None:
    record = marc21(
        f("100", "1 ", "6880-01", "aCao, Xueqin,", "d-1763."),
        f("245", "10", "6880-02", "aHong lou meng /", "cCao Xueqin zhu."),
        f("260", "  ", "6880-03", "aBeijing :", "bRen min wen xue chu ban she,", "c1982."),
        f("880", "1 ", "6100-01/$1", "a曹雪芹,", "d-1763."),
        f("880", "10", "6245-02/$1", "a红楼梦 /", "c曹雪芹著."),
        f("880", "  ", "6260-03/$1", "a北京 :", "b人民文学出版社,", "c1982."),
        f("880", "  ", "6250-00/$1", "a第3版."),
    )

    bib, _ = map_record(record, "marc21")

    assert bib.title == "红楼梦"
    assert bib.responsibility == ["曹雪芹著"]
    assert bib.other_titles == ["Hong lou meng"]
    assert (bib.authors[0].name, bib.authors[0].pinyin) == ("曹雪芹", "Cao, Xueqin")
    assert (bib.place, bib.publisher) == ("北京", "人民文学出版社")
    assert bib.edition == "第3版"


def test_marc21_copies_without_a_call_number_take_the_records() -> None:
    record = marc21(f("245", "00", "aA"), f("090", "  ", "aPR4034", "b.P7 2004"), f("852", "  ", "p39001"))

    bib, _ = map_record(record, "marc21")

    assert [(h.barcode, h.call_number) for h in bib.holdings] == [("39001", "PR4034 .P7 2004")]


def test_a_cmarc_record_in_a_marc21_file_is_mapped_as_unimarc() -> None:
    """No 245 but a 200 and a UNIMARC 100: mapped as CNMARC instead of coming out without a title."""
    record = MarcRecord(
        "00766cam0a2200265   4500",
        [
            f("100", "  ", "a19990827d1993    m  y0chiy09      e."),
            f("101", "0 ", "achi"),
            f("200", "1 ", "a傲慢與偏見", "f簡.奧斯丁著"),
        ],
    )

    bib, issues = map_record(record, "marc21")

    assert (bib.format, bib.title, issues) == ("cnmarc", "傲慢與偏見", [])
