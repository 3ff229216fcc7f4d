"""Names and codes of the demo city: towns, villages, industries, enterprise names, USCCs."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from landrenewal.domain.uscc import ALPHABET, WEIGHTS

# Towns of 恩平市 with their 9-digit codes (统计用区划代码 style).
TOWNS: list[tuple[str, str]] = [
    ("440785001", "恩城街道"),
    ("440785108", "大槐镇"),
    ("440785109", "东成镇"),
    ("440785103", "沙湖镇"),
    ("440785101", "圣堂镇"),
    ("440785104", "牛江镇"),
]
VILLAGE_NAMES = [
    "黄角",
    "西门",
    "新安",
    "南坑",
    "莲塘",
    "锦江",
    "石联",
    "平石",
    "上凯",
    "塘龙",
    "横岗",
    "歇马",
    "东安",
    "北联",
    "茶山",
    "良西",
    "车头",
    "白石",
    "龙湾",
    "坑口",
    "长安",
    "蓢底",
    "大岗",
    "永华",
    "石头",
    "河南",
    "圣园",
    "江洲",
    "沙冈",
    "岑洞",
    "朗北",
    "小岛",
    "田心",
    "中心",
    "南平",
    "山塘",
]
# (name word, GB/T 4754-2017 class, tax-per-mu factor, share of enterprises)
INDUSTRIES: list[tuple[str, str, float, float]] = [
    ("五金制品", "3351", 0.9, 0.10),
    ("金属结构", "3311", 0.8, 0.05),
    ("日用金属", "3389", 0.8, 0.04),
    ("陶瓷", "3071", 0.7, 0.07),
    ("电机", "3812", 1.1, 0.05),
    ("厨房电器", "3854", 1.2, 0.06),
    ("电子电路", "3982", 1.5, 0.05),
    ("光电科技", "3976", 1.6, 0.03),
    ("汽车配件", "3670", 1.3, 0.05),
    ("机械配件", "3484", 1.0, 0.06),
    ("泵业", "3441", 1.0, 0.03),
    ("自动化设备", "4011", 1.4, 0.03),
    ("纺织", "1711", 0.6, 0.05),
    ("服装", "1810", 0.6, 0.05),
    ("鞋业", "1952", 0.6, 0.03),
    ("家具", "2110", 0.7, 0.05),
    ("纸品包装", "2231", 0.7, 0.04),
    ("印刷", "2319", 0.8, 0.02),
    ("塑料制品", "2922", 0.8, 0.06),
    ("化工", "2614", 1.2, 0.03),
    ("制药", "2710", 1.8, 0.02),
    ("钢材", "3130", 0.9, 0.03),
    ("食品", "1391", 0.9, 0.03),
    ("粮油", "1311", 0.7, 0.02),
]
BRAND_CHARACTERS = "鸿达粤新恒丰盛华兴隆永泰宏源金德利通瑞祥安康汇力佳美创远东方海天明亮卓越正信嘉宝荣昌富强鑫晟骏"


def enterprise_names(
    rng: np.random.Generator, place: str, industry: npt.NDArray[np.int64], n: int
) -> npt.NDArray[np.object_]:
    """Company names such as 恩平市鸿达五金制品有限公司, distinct up to a few thousand, then numbered."""
    chars = np.array(list(BRAND_CHARACTERS), dtype=object)
    combos = len(chars) ** 2
    brand = rng.permutation(combos)[np.arange(n) % combos]
    words = np.array([w for w, *_ in INDUSTRIES], dtype=object)[industry]
    names = place + chars[brand // len(chars)] + chars[brand % len(chars)] + words
    repeat = np.arange(n) // combos
    suffix = np.where(repeat > 0, np.char.add(repeat.astype(str), "厂").astype(object), "")
    return np.asarray(names + suffix + "有限公司", dtype=object)


def uscc_codes(rng: np.random.Generator, county: str, n: int) -> npt.NDArray[np.object_]:
    """Valid, unique 统一社会信用代码: 91 (enterprise), the county, 'MA' + a serial, check digit."""
    alphabet = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
    offset = int(rng.integers(0, 31**5))
    serial = offset + np.arange(n, dtype=np.int64) * 7  # spaced serials look less sequential
    digits = np.empty((n, 7), dtype=np.int64)
    for position in range(6, -1, -1):  # 7 base-31 digits, vectorized over all codes
        digits[:, position] = serial % 31
        serial //= 31
    body = np.empty((n, 17), dtype=np.uint8)
    body[:, :8] = np.frombuffer(f"91{county}".encode("ascii"), dtype=np.uint8)
    body[:, 8:10] = np.frombuffer(b"MA", dtype=np.uint8)
    body[:, 10:] = alphabet[digits]
    values = _values(body, alphabet)
    check = alphabet[(31 - (values @ WEIGHTS) % 31) % 31]
    codes = np.concatenate([body, check[:, None]], axis=1)
    return np.asarray(codes.view("S18").ravel().astype(str), dtype=object)


def _values(body: npt.NDArray[np.uint8], alphabet: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    lookup = np.full(256, -1, dtype=np.int64)
    lookup[alphabet] = np.arange(len(alphabet))
    return lookup[body]
