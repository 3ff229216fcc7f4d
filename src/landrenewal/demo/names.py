"""Names and codes of the demo city: towns, villages, industries, enterprise names and USCCs.

All vectorized: enterprise names are joined from small Arrow dictionaries, USCCs are built as
a byte matrix with the GB 11714 and GB 32100 check characters computed over whole columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from landrenewal.demo.arrays import BoolArray, IntArray, digits, fixed_width, joined, pick, rank_within
from landrenewal.domain.language import say
from landrenewal.domain.uscc import ALPHABET, WEIGHTS

COUNTY_CODE, COUNTY_NAME = "440785", "恩平市"

# The eleven towns and streets of 恩平市, in the order a growing demo county takes them. The codes
# follow the 统计用区划代码 pattern (001 a street, 1xx a town) but are illustrative, not the official list.
TOWNS: list[tuple[str, str]] = [
    ("440785001", "恩城街道"),
    ("440785108", "大槐镇"),
    ("440785109", "东成镇"),
    ("440785103", "沙湖镇"),
    ("440785101", "圣堂镇"),
    ("440785104", "牛江镇"),
    ("440785102", "横陂镇"),
    ("440785105", "良西镇"),
    ("440785106", "君堂镇"),
    ("440785107", "那吉镇"),
    ("440785110", "大田镇"),
]
FIRST_VILLAGE_NUMBER = 201  # 2xx: 村委会 (0xx would be 居委会)
MAX_VILLAGES_PER_TOWN = 99

# Village names as they sound in the Pearl River Delta; more are composed when a big county needs them.
VILLAGE_NAMES = [
    *("黄角", "西门", "新安", "南坑", "莲塘", "锦江", "石联", "平石", "上凯", "塘龙", "横岗", "歇马"),
    *("东安", "北联", "茶山", "良西", "车头", "白石", "龙湾", "坑口", "长安", "蓢底", "大岗", "永华"),
    *("石头", "河南", "圣园", "江洲", "沙冈", "岑洞", "朗北", "小岛", "田心", "中心", "南平", "山塘"),
]
VILLAGE_FIRST = "东西南北上下新大小中黄石龙凤金沙白青高长平横良茶莲锦塘岭蓢歇圣永朗岑江河"
VILLAGE_SECOND = "安坑塘岗洞头湾坪田山边联和冲围岭江洲湖桥溪美华兴龙凤南北"

COLLECTIVE_SUFFIX = "村股份经济合作社"
VILLAGE_SUFFIX = "村委会"


@dataclass(frozen=True)
class Industry:
    word: str  # as it appears in a company name
    code: str  # GB/T 4754-2017 class (4 digits)
    tax_factor: float  # 亩均税收 relative to the county's typical manufacturer
    energy_factor: float  # energy per unit of value added, relative to the typical manufacturer
    weight: float  # share of manufacturers (0 for trades drawn only for warehouse land)


# Jiangmen's industries: hardware and sanitary ware, Enping's 电声 (audio), lighting, motorcycle parts …
INDUSTRIES: list[Industry] = [
    Industry("五金制品", "3351", 0.9, 1.0, 7),  # 建筑、家具用金属配件制造
    Industry("水暖卫浴", "3352", 1.0, 1.0, 5),  # 建筑装饰及水暖管道零件制造
    Industry("金属结构", "3311", 0.8, 1.2, 3),
    Industry("不锈钢制品", "3381", 0.9, 1.1, 4),  # 金属制厨房用器具制造
    Industry("金属表面处理", "3360", 0.8, 1.8, 2),
    Industry("陶瓷", "3071", 0.7, 3.0, 3),  # 建筑陶瓷制品制造
    Industry("水泥制品", "3021", 0.6, 2.5, 2),
    Industry("玻璃制品", "3059", 0.8, 2.5, 1),
    Industry("电声器材", "3952", 1.3, 0.7, 6),  # 音响设备制造
    Industry("照明电器", "3872", 1.1, 0.8, 4),  # 照明灯具制造
    Industry("电机", "3812", 1.1, 0.9, 3),
    Industry("电线电缆", "3831", 1.0, 1.0, 2),
    Industry("厨房电器", "3854", 1.2, 0.8, 3),
    Industry("电子电路", "3982", 1.5, 1.0, 3),
    Industry("光电科技", "3976", 1.6, 0.8, 2),  # 光电子器件制造
    Industry("新能源电池", "3841", 1.5, 1.2, 1),  # 锂离子电池制造
    Industry("摩托车配件", "3752", 1.0, 0.9, 3),
    Industry("汽车配件", "3670", 1.3, 0.9, 3),
    Industry("机械配件", "3484", 1.0, 1.0, 4),
    Industry("泵业", "3441", 1.0, 0.9, 2),
    Industry("制冷设备", "3464", 1.2, 0.8, 1),
    Industry("环保设备", "3591", 1.2, 0.8, 1),
    Industry("自动化设备", "4011", 1.4, 0.7, 1),
    Industry("医疗器械", "3581", 1.7, 0.6, 1),
    Industry("纺织", "1711", 0.6, 1.3, 3),
    Industry("服装", "1819", 0.6, 0.6, 3),  # 其他机织服装制造
    Industry("鞋业", "1952", 0.6, 0.6, 2),
    Industry("家具", "2110", 0.7, 0.7, 3),
    Industry("木制品", "2039", 0.6, 0.9, 2),
    Industry("纸品包装", "2231", 0.7, 1.2, 3),
    Industry("纸业", "2221", 0.8, 3.0, 1),
    Industry("印刷", "2319", 0.8, 0.8, 2),
    Industry("塑料制品", "2922", 0.8, 1.2, 5),
    Industry("橡胶制品", "2913", 0.8, 1.3, 1),
    Industry("涂料", "2641", 1.3, 1.2, 1),
    Industry("化工", "2614", 1.2, 2.0, 1),
    Industry("制药", "2710", 1.8, 1.1, 1),
    Industry("钢材", "3130", 0.9, 3.0, 1),
    Industry("铝型材", "3252", 0.9, 2.2, 2),
    Industry("食品", "1399", 0.9, 1.0, 2),
    Industry("饮料", "1529", 1.3, 0.9, 1),
    Industry("饲料", "1329", 0.8, 0.9, 1),
    Industry("体育用品", "2442", 0.9, 0.8, 1),
    Industry("再生资源", "4210", 0.7, 1.5, 1),
    Industry("物流", "5920", 0.5, 1.0, 0),  # 通用仓储: not manufacturing, found on warehouse land
    Industry("仓储", "5990", 0.5, 1.0, 0),  # 其他仓储业
]
LOGISTICS = np.array([i for i, ind in enumerate(INDUSTRIES) if ind.weight == 0], dtype=np.int64)

PLACES = ["恩平市", "江门市", "广东"]
PLACE_WEIGHTS = [0.75, 0.15, 0.10]
BRAND_CHARACTERS = (
    "鸿达粤新恒丰盛华兴隆永泰宏源金德利通瑞祥安康汇力佳美创远东方海天明亮卓越正信嘉宝荣昌富强鑫晟骏"
    "锦辉腾飞宇宙星光凯旋博雅益群联合众志鼎立广阔江南顺发万和长城协立精工铭豪誉展高峰益民威"
)
SUFFIXES = ["有限公司", "股份有限公司", "厂"]
SUFFIX_WEIGHTS = [0.85, 0.05, 0.10]
BRANCH_NUMERALS = "二三四五六七八九十"

# 统一社会信用代码: 9 (registered by market regulation) 1 (enterprise), county, 9-character body, check.
USCC_PREFIX = "91"
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)  # GB 11714 组织机构代码 check weights
MA_SINCE = np.datetime64("2015-10-01")  # bodies starting "MA" were issued from the reform on


def town_plan(n_parcels: int) -> int:
    """How many towns the county has: 3 for a few hundred parcels, growing with size up to all eleven."""
    return int(np.clip(round(2 + 3 * np.log10(max(n_parcels, 1) / 300)), 3, len(TOWNS)))


def villages_per_town(n_parcels: int, n_towns: int) -> int:
    """A handful of villages per town for a small county, more as it grows (each stays a few km²)."""
    return int(np.clip(round(np.sqrt(n_parcels / n_towns) / 4), 4, 90))


def village_names(rng: np.random.Generator, n: int) -> list[str]:
    """n distinct village names: the familiar ones first, then composed ones, in a seeded order."""
    composed = [a + b for a in VILLAGE_FIRST for b in VILLAGE_SECOND if a != b and a + b not in VILLAGE_NAMES]
    if n > len(VILLAGE_NAMES) + len(composed):
        most = len(VILLAGE_NAMES) + len(composed)
        raise ValueError(say(f"村名最多 {most} 个，而要求 {n} 个", f"no more than {most} village names; asked for {n}"))
    familiar = [VILLAGE_NAMES[i] for i in rng.permutation(len(VILLAGE_NAMES))]
    others = [composed[i] for i in rng.permutation(len(composed))]
    return (familiar + others)[:n]


def draw_industries(rng: np.random.Generator, n: int) -> IntArray:
    weights = np.array([ind.weight for ind in INDUSTRIES], dtype=np.float64)
    return rng.choice(len(INDUSTRIES), n, p=weights / weights.sum()).astype(np.int64)


def enterprise_names(rng: np.random.Generator, industry: IntArray) -> pa.Array:
    """Company names such as 恩平市鸿达五金制品有限公司, all distinct.

    Place and legal form are drawn; within each (industry, place, form) the companies take the
    brands in a seeded order, so no two share a name; past the last brand a branch numeral
    (第二分公司 …) keeps them apart, which only a county of 10⁵ enterprises or more needs.
    """
    n = len(industry)
    chars = list(dict.fromkeys(BRAND_CHARACTERS))  # each character once, or brands would repeat
    brands = [a + b for a in chars for b in chars if a != b]
    place = rng.choice(len(PLACES), n, p=PLACE_WEIGHTS).astype(np.int64)
    suffix = rng.choice(len(SUFFIXES), n, p=SUFFIX_WEIGHTS).astype(np.int64)
    group = (industry * len(PLACES) + place) * len(SUFFIXES) + suffix
    rank = rank_within(group)
    order = rng.permutation(len(brands))
    brand = order[(rank + group * 7919) % len(brands)]  # groups walk the brands from different points
    branch = ["", *(f"第{numeral}分公司" for numeral in BRANCH_NUMERALS)]
    return joined(
        pick(PLACES, place),
        pick(brands, brand),
        pick([ind.word for ind in INDUSTRIES], industry),
        pick(SUFFIXES, suffix),
        pick(branch, np.minimum(rank // len(brands), len(branch) - 1)),
    )


def uscc_codes(rng: np.random.Generator, county: str, founded: npt.NDArray[np.datetime64]) -> pa.Array:
    """Valid, unique 统一社会信用代码 for enterprises founded on these dates.

    Enterprises founded before the 2015 reform carry their old 组织机构代码 (8 digits and a GB 11714
    check character); newer ones a body starting "MA". The 18th character is the GB 32100 check.
    """
    n = len(founded)
    new = founded >= MA_SINCE
    body = np.empty((n, 8), dtype=np.uint8)
    body[~new] = _old_bodies(rng, int((~new).sum()))
    body[new] = _ma_bodies(rng, int(new.sum()))
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, :8] = np.frombuffer(f"{USCC_PREFIX}{county}".encode("ascii"), dtype=np.uint8)
    chars[:, 8:16] = body
    chars[:, 16] = _org_check(body)
    chars[:, 17] = _uscc_check(chars[:, :17])
    return fixed_width(chars)


def _old_bodies(rng: np.random.Generator, n: int) -> npt.NDArray[np.uint8]:
    """Distinct 8-digit organisation codes, spaced so that they do not look sequential."""
    serial = int(rng.integers(10_000_000, 30_000_000)) + np.arange(n, dtype=np.int64) * 37
    return digits(serial, 8)


def _ma_bodies(rng: np.random.Generator, n: int) -> npt.NDArray[np.uint8]:
    """Distinct bodies "MA" + 6 characters of the USCC alphabet."""
    serial = int(rng.integers(0, 31**5)) + np.arange(n, dtype=np.int64) * 7
    body = np.empty((n, 8), dtype=np.uint8)
    body[:, :2] = np.frombuffer(b"MA", dtype=np.uint8)
    body[:, 2:] = digits(serial, 6, base=len(ALPHABET), alphabet=ALPHABET.encode("ascii"))
    return body


def _org_check(body: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """GB 11714 check character: digits count as themselves, letters A=10 … Z=35; 10 → X, 11 → 0."""
    value = np.zeros(256, dtype=np.int64)
    value[ord("0") : ord("9") + 1] = np.arange(10)
    value[ord("A") : ord("Z") + 1] = np.arange(10, 36)
    check = 11 - _weighted_sum(value, body, ORG_WEIGHTS) % 11
    return np.where(check == 10, ord("X"), np.where(check == 11, ord("0"), check + ord("0"))).astype(np.uint8)


def _uscc_check(first17: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """GB 32100 check character over whole columns, with the alphabet and weights of domain.uscc."""
    alphabet = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
    value = np.full(256, -1, dtype=np.int64)
    value[alphabet] = np.arange(len(alphabet))
    return alphabet[(31 - _weighted_sum(value, first17, WEIGHTS) % 31) % 31]


def _weighted_sum(
    value: npt.NDArray[np.int64], chars: npt.NDArray[np.uint8], weights: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Σ value(char) × weight along each row, a column at a time (no n × k matrix of integers)."""
    total = np.zeros(len(chars), dtype=np.int64)
    for position, weight in enumerate(weights):
        total += value[chars[:, position]] * int(weight)
    return total


def collective_names(villages: list[str]) -> list[str]:
    return [name + COLLECTIVE_SUFFIX for name in villages]


def is_logistics(industry: IntArray) -> BoolArray:
    return np.isin(industry, LOGISTICS)
