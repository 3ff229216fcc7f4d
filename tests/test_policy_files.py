"""Policy as dated, cited data: shipped profiles, dates, inheritance, a user's own file, checks."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from landrenewal.domain.language import speaking
from landrenewal.domain.policy import PolicyError
from landrenewal.policies.files import load_chain, resolve_policy, shipped_ids, shipped_names
from tests.cli import run

PROFILES = [
    "cn",
    "zj",
    "zj-quzhou",
    "gd",
    "gd-dongguan",
    "gd-jiangmen-enping",
    "gd-jiangmen-jiangnan",
    "gd-foshan-nanhai",
]


def test_the_profiles_of_spec_section_4_ship_and_load_clean() -> None:
    assert set(PROFILES) <= set(shipped_ids())
    for policy_id in PROFILES:
        chain = load_chain(policy_id)
        assert chain[-1].policy.id == "cn"
        resolved = resolve_policy(policy_id, dt.date(2025, 1, 1))
        assert all(v.source for v in resolved.values.values())


def test_values_take_effect_on_their_dates() -> None:
    before = resolve_policy("zj", dt.date(2021, 12, 31))["evaluation.above_scale.benchmarks"]
    after = resolve_policy("zj", dt.date(2022, 1, 1))["evaluation.above_scale.benchmarks"]
    assert before["tax_per_mu"] == 26.01 and after["tax_per_mu"] == 24.097
    assert "idle_land.unstarted_after_years" not in resolve_policy("cn", dt.date(2012, 6, 30)).values
    assert resolve_policy("cn", dt.date(2012, 7, 1))["idle_land.unstarted_after_years"] == 1


def test_cities_inherit_and_say_where_each_value_comes_from() -> None:
    quzhou = resolve_policy("zj-quzhou", dt.date(2024, 6, 30))
    assert quzhou["zones.contiguous_renewal_min"] == 300
    assert quzhou.values["zones.contiguous_renewal_min"].defined_in == "zj-quzhou"
    assert quzhou.values["evaluation.above_scale.weights"].defined_in == "zj"
    assert quzhou.values["land_control.far_min_by_industry_2002"].value["34"] == 0.7
    assert quzhou.chain == ("zj-quzhou", "zj", "cn")
    dongguan = resolve_policy("gd-dongguan", dt.date(2024, 6, 30))
    assert dongguan["projects.consent_min"] == {"area": 0.8, "persons": 0.8}
    consent = dongguan.values["projects.consent_min"].source
    assert "东莞市人民政府" in consent and "东府〔2023〕4号" in consent and "（十）整合工作流程" in consent
    assert "evaluation.above_scale.weights" not in dongguan.values  # Zhejiang's practice is not Guangdong's


# The phrase a value without any public source says instead of a citation.
NO_PUBLIC_SOURCE = "本系统默认值，无公开出处"
# What a citation is not: the project's own notes (spec sections, seed files) or a "for the demo" tag.
NOT_CITATIONS = ("SPEC", "§", "seed", "示范用", "東府", "../shared")


def _every_shipped_source() -> list[tuple[str, str, str]]:
    return [
        (item.path, name, entry.source)
        for policy_id in shipped_ids()
        for item in load_chain(policy_id)[:1]
        for name, parameter in item.policy.parameters.items()
        for entry in parameter.values
    ]


def test_shipped_sources_cite_a_public_document_or_say_there_is_none() -> None:
    sources = _every_shipped_source()
    assert len(sources) > 80
    for where, name, source in sources:
        assert not [w for w in NOT_CITATIONS if w.lower() in source.lower()], (where, name, source)
        assert "《" in source or source.startswith(NO_PUBLIC_SOURCE) or "本系统未收录" in source, (where, name, source)


def test_shipped_descriptions_name_documents_not_seed_files() -> None:
    for policy_id in shipped_ids():
        policy = load_chain(policy_id)[0].policy
        texts = [policy.name, policy.description, *(p.description or "" for p in policy.parameters.values())]
        assert not [w for t in texts for w in NOT_CITATIONS if w.lower() in t.lower()], policy_id


def test_numbers_without_a_public_source_say_so() -> None:
    cn = resolve_policy("cn", dt.date(2025, 1, 1))
    for name in ("inventory.area_tolerance", "zones.gap_m", "identification.built_not_producing_after_years"):
        assert cn.values[name].source.startswith(NO_PUBLIC_SOURCE), name
    demo = resolve_policy("demo-enping", dt.date(2025, 1, 1))
    assert demo.values["identification.tax_per_mu_min"].source.startswith(NO_PUBLIC_SOURCE)
    borrowed = demo.values["zones.contiguous_renewal_min"].source
    assert borrowed.startswith("示范城市借用") and "《衢州市工业用地全域整治三年行动方案（2022—2024年）》" in borrowed


@pytest.mark.parametrize("written", ["SPEC §5.4 所举示例", "见 seed 002", "第5条§2", "地方标准，示范用"])
def test_a_source_quoting_the_spec_or_a_seed_file_is_refused(tmp_path: Path, written: str) -> None:
    own = _write(
        tmp_path,
        "mine.yaml",
        f"""
id: mine
name: 某县
parent: zj-quzhou
parameters:
  zones.contiguous_renewal_min:
    values:
      - from: 2025-01-01
        value: 200
        source: {written}
""",
    )
    with pytest.raises(PolicyError) as error:
        load_chain(str(own))
    [problem] = error.value.problems
    assert problem.startswith(str(own)) and "zones.contiguous_renewal_min" in problem
    assert "本系统默认值，无公开出处" in problem
    checked = run("policy", "check", str(own), "--json")
    assert checked.returncode == 1 and "zones.contiguous_renewal_min" in json.loads(checked.stdout)["problems"][0]


def test_a_policy_is_named_in_chinese_and_in_english_apart(tmp_path: Path) -> None:
    mixed = _write(tmp_path, "mixed.yaml", "id: mixed\nname: 某县 (Mou county)\nparent: zj-quzhou\nparameters: {}\n")
    with pytest.raises(PolicyError) as error:
        load_chain(str(mixed))
    assert any("name_en" in p for p in error.value.problems)
    apart = _write(tmp_path, "apart.yaml", "id: apart\nname: 某县\nname_en: Mou county\nparent: zj-quzhou\n")
    policy = load_chain(str(apart))[0].policy
    assert (policy.name, policy.name_en) == ("某县", "Mou county")
    assert shipped_names()["zj-quzhou"] == ("浙江省衢州市", "Quzhou, Zhejiang")
    parameter = "parameters:\n  local.extra:\n    description: {}\n    unit: 年\n"
    parameter += "    values:\n      - from: 2025-01-01\n        value: 1\n        source: 本系统默认值，无公开出处\n"
    header = "id: own\nname: 某县\nparent: zj-quzhou\n"
    mixed = _write(tmp_path, "own.yaml", header + parameter.format("满此年数 (years to wait)"))
    with pytest.raises(PolicyError) as error:
        load_chain(str(mixed))
    assert any("local.extra" in p and "description_en" in p for p in error.value.problems)
    fine = parameter.format("满此年数（按 GB/T 4754-2002 行业大类）") + "    description_en: Years to wait\n"
    apart = _write(tmp_path, "own.yaml", header + fine)
    described = resolve_policy(str(apart), dt.date(2026, 1, 1)).values["local.extra"]
    assert described.description_en == "Years to wait" and "GB/T" in described.description


def test_a_policys_own_description_is_chinese_with_the_english_apart(tmp_path: Path) -> None:
    english = "description: National rules every jurisdiction inherits, with idle land\n"
    head = "id: own\nname: 某县\nparent: zj-quzhou\n"
    with pytest.raises(PolicyError) as error:
        load_chain(str(_write(tmp_path, "own.yaml", head + english)))
    assert any("description_en" in p for p in error.value.problems)
    apart = "description: 某县的低效用地认定（按 GB/T 4754-2017 行业分类）\ndescription_en: Mou county's rules\n"
    policy = load_chain(str(_write(tmp_path, "own.yaml", head + apart)))[0].policy
    assert policy.description_en == "Mou county's rules" and "GB/T" in policy.description
    shipped = load_chain("demo-enping")
    assert all(f.policy.description and f.policy.description_en for f in shipped)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_users_own_file_overrides_from_its_date_with_no_code_change(tmp_path: Path) -> None:
    own = _write(
        tmp_path,
        "my-county.yaml",
        """
id: my-county
name: 某县
parent: zj-quzhou
parameters:
  zones.contiguous_renewal_min:
    values:
      - from: 2025-01-01
        value: 200
        source: 某县人民政府办公室关于工业用地整治的通知，第三条
  evaluation.scope.below_scale_land_min:
    values:
      - from: 2025-01-01
        value: 5
        source: 某县亩均效益评价办法，第四条
""",
    )
    assert resolve_policy(str(own), dt.date(2024, 12, 31))["zones.contiguous_renewal_min"] == 300
    mine = resolve_policy(str(own), dt.date(2025, 1, 1))
    assert mine["zones.contiguous_renewal_min"] == 200
    assert mine["evaluation.scope.below_scale_land_min"] == 5
    assert mine.values["zones.contiguous_renewal_min"].defined_in == "my-county"
    assert mine.version.startswith("my-county@")
    own.write_text(own.read_text(encoding="utf-8").replace("value: 200", "value: 250"), encoding="utf-8")
    assert resolve_policy(str(own), dt.date(2025, 1, 1)).version != mine.version


def test_a_value_can_stop_applying(tmp_path: Path) -> None:
    own = _write(
        tmp_path,
        "p.yaml",
        """
id: p
name: 某市
parent: zj-quzhou
parameters:
  funds.special_fund_share_of_land_income:
    values:
      - from: 2025-01-01
        value: null
        source: 某市关于废止专项经费计提的决定
""",
    )
    assert "funds.special_fund_share_of_land_income" in resolve_policy(str(own), dt.date(2024, 1, 1)).values
    assert "funds.special_fund_share_of_land_income" not in resolve_policy(str(own), dt.date(2025, 1, 1)).values


def test_mistakes_are_named_by_file_parameter_and_reason(tmp_path: Path) -> None:
    bad = _bad_policy_file(tmp_path)
    with pytest.raises(PolicyError) as error:
        load_chain(str(bad))
    text = "\n".join(error.value.problems)
    assert "zones.contiguos_renewal_min" in text and "上级政策没有此参数" in text
    assert "projects.consent_min" in text and "取值类型为数值，与上级的键值结构不同" in text
    assert "zones.small_circle_max" in text and "from 须为日期" in text and "缺少 source" in text
    assert all(p.startswith(str(bad)) for p in error.value.problems)
    impossible = _write(
        tmp_path,
        "date.yaml",
        "id: d\nname: d\nparent: cn\nparameters:\n  a.b:\n    values:\n"
        "      - from: 2025-13-01\n        value: 1\n        source: s\n",
    )
    with pytest.raises(PolicyError, match="无效的日期"):
        load_chain(str(impossible))


# Words a message may carry in either language: the file's path, the YAML keys and names it points at, quoted input.
_KEYS = re.compile(
    r"(/[^\s：:，,]+)|'[^']*'|\b(id|name|name_en|parent|jurisdiction|description|description_en|parameters"
    r"|unit|values|from|value|source|null)\b|[a-z_]+(\.[a-z_0-9]+)+"
)
_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def _bad_policy_file(folder: Path) -> Path:
    return _write(
        folder,
        "bad.yaml",
        """
id: bad
name: Bad example
parent: gd-dongguan
surplus: 1
parameters:
  zones.contiguos_renewal_min:
    values:
      - from: 2025-01-01
        value: 200
        source: 某文件
  projects.consent_min:
    values:
      - from: 2025-01-01
        value: 0.8
        source: 某文件
  zones.small_circle_max:
    values:
      - from: 2025年1月
        value: 250
      - from: 2024-01-01
        value: 260
""",
    )


def test_policy_problems_read_whole_in_the_readers_language(tmp_path: Path) -> None:
    bad = _bad_policy_file(tmp_path)
    with pytest.raises(PolicyError) as chinese:
        load_chain(str(bad))
    with speaking("en"), pytest.raises(PolicyError) as english:
        load_chain(str(bad))
    assert len(chinese.value.problems) == len(english.value.problems) == 6
    for problem in chinese.value.problems:
        assert not re.search(r"[A-Za-z]{2,}", _KEYS.sub("", problem)), problem
        assert "(" not in problem, problem
    for problem in english.value.problems:
        assert not _CJK.search(problem), problem
    english_text = "\n".join(english.value.problems)
    assert "name is the Chinese name; put the English name in name_en" in english_text
    assert "unknown key 'surplus'; allowed: description, description_en, id, jurisdiction, name" in english_text
    assert "parameter zones.contiguos_renewal_min: unknown parameter" in english_text
    assert "the value kind number differs from the parent's mapping" in english_text
    assert "entry 1: from must be a date, such as 2023-01-10." in english_text
    with speaking("en"), pytest.raises(PolicyError) as unknown:
        load_chain("nowhere")
    assert unknown.value.problems[0].startswith("nowhere: unknown policy; the shipped ones are: ")


def test_policy_check_speaks_english_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = _bad_policy_file(tmp_path)
    chinese = json.loads(run("policy", "check", str(bad), "--json").stdout)["problems"]
    assert any("上级政策没有此参数" in p for p in chinese)
    monkeypatch.setenv("LANDRENEWAL_LANG", "en")
    english = json.loads(run("policy", "check", str(bad), "--json").stdout)["problems"]
    assert len(english) == len(chinese)
    assert any("unknown parameter; no parent policy defines it" in p for p in english)
    assert not [p for p in english if _CJK.search(p)]


def test_cli_show_and_check(tmp_path: Path) -> None:
    shown = json.loads(run("policy", "show", "zj-quzhou", "--on", "2024-06-30", "--json", check=True).stdout)
    value = shown["values"]["targets.above_scale_tax_per_mu"]
    assert value["value"] == 24 and value["unit"] == "万元/亩" and "二、主要目标" in value["source"]
    assert shown["chain"] == ["zj-quzhou", "zj", "cn"]
    bad = _write(tmp_path, "x.yaml", "id: x\nname: x\nparent: nowhere\n")
    checked = run("policy", "check", str(bad), "--json")
    assert checked.returncode == 1
    assert "nowhere" in json.loads(checked.stdout)["problems"][0]
    good = _write(tmp_path, "y.yaml", "id: y\nname: y\nparent: gd\nparameters: {}\n")
    assert json.loads(run("policy", "check", str(good), "--json", check=True).stdout)["chain"] == ["y", "gd", "cn"]
    assert run("policy", "show", "nowhere").returncode == 3
