"""Generate the example campaigns in `examples/` deterministically (fixed seeds, no clock, no network).

Why generated: a realistic campaign has 20-63 units, each with self-assessed points, declared figures,
evidence documents and appraisal rounds, plus campaign-wide record exports (dossiers, service
catalogue, document register, survey forms) in the shapes the standard plugins read. Writing that by
hand would be error-prone; generating it from each criteria set keeps every example in step with its
set. The output is committed, so `parrules score` runs on it without running this script.

Run from the repository root:  .venv/bin/python examples/generate.py
The figures are illustrative, NOT real results of any unit, with one exception: Sóc Trăng in
`province-2018`, whose appraised points add up to the field points Bộ Nội vụ published for 2018
(the split across sub-criteria is illustrative; only field totals are published).

Last year's results: `province-2018` compares itself with `province-2017` (year over year in the
quick start). Its `previous/par-province-2017.json` is not generated data but what parrules makes
of the 2017 example — the JSON of

    .venv/bin/parrules campaign examples/province-2017/campaign.toml -o DIR --formats json

which this script writes by running the same campaign through the public API after generating
2017, so the committed file is always parrules' own output (`tests/test_examples.py` checks both
ways). The sets were revised between the years (2948/QĐ-BNV → 2636/QĐ-BNV), so `mapping.toml`
says which 2017 criterion became which 2018 one (`REVISION_2018`, each entry with its reason).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
SETS = HERE.parent / "criteria_sets"
CENT = Decimal("0.01")

# The 63 provinces and centrally-run cities (administrative codes, Quyết định 124/2004/QĐ-TTg).
PROVINCES = [
    ("01", "Thành phố Hà Nội"), ("02", "Hà Giang"), ("04", "Cao Bằng"), ("06", "Bắc Kạn"),
    ("08", "Tuyên Quang"), ("10", "Lào Cai"), ("11", "Điện Biên"), ("12", "Lai Châu"), ("14", "Sơn La"),
    ("15", "Yên Bái"), ("17", "Hòa Bình"), ("19", "Thái Nguyên"), ("20", "Lạng Sơn"), ("22", "Quảng Ninh"),
    ("24", "Bắc Giang"), ("25", "Phú Thọ"), ("26", "Vĩnh Phúc"), ("27", "Bắc Ninh"), ("30", "Hải Dương"),
    ("31", "Thành phố Hải Phòng"), ("33", "Hưng Yên"), ("34", "Thái Bình"), ("35", "Hà Nam"),
    ("36", "Nam Định"), ("37", "Ninh Bình"), ("38", "Thanh Hóa"), ("40", "Nghệ An"), ("42", "Hà Tĩnh"),
    ("44", "Quảng Bình"), ("45", "Quảng Trị"), ("46", "Thừa Thiên Huế"), ("48", "Thành phố Đà Nẵng"),
    ("49", "Quảng Nam"), ("51", "Quảng Ngãi"), ("52", "Bình Định"), ("54", "Phú Yên"), ("56", "Khánh Hòa"),
    ("58", "Ninh Thuận"), ("60", "Bình Thuận"), ("62", "Kon Tum"), ("64", "Gia Lai"), ("66", "Đắk Lắk"),
    ("67", "Đắk Nông"), ("68", "Lâm Đồng"), ("70", "Bình Phước"), ("72", "Tây Ninh"), ("74", "Bình Dương"),
    ("75", "Đồng Nai"), ("77", "Bà Rịa - Vũng Tàu"), ("79", "Thành phố Hồ Chí Minh"), ("80", "Long An"),
    ("82", "Tiền Giang"), ("83", "Bến Tre"), ("84", "Trà Vinh"), ("86", "Vĩnh Long"), ("87", "Đồng Tháp"),
    ("89", "An Giang"), ("91", "Kiên Giang"), ("92", "Thành phố Cần Thơ"), ("93", "Hậu Giang"),
    ("94", "Sóc Trăng"), ("95", "Bạc Liêu"), ("96", "Cà Mau"),
]

# Đắk Nông (H21): departments and central agencies in the province, codes in the one-stop system's style.
DAK_NONG_DEPARTMENTS = [
    ("000.00.01.H21", "Văn phòng UBND tỉnh"), ("000.00.02.H21", "Sở Kế hoạch và Đầu tư"),
    ("000.00.03.H21", "Sở Tài chính"), ("000.00.04.H21", "Sở Công Thương"),
    ("000.00.05.H21", "Sở Nông nghiệp và Phát triển nông thôn"), ("000.00.06.H21", "Sở Giao thông vận tải"),
    ("000.00.07.H21", "Sở Xây dựng"), ("000.00.08.H21", "Sở Tài nguyên và Môi trường"),
    ("000.00.09.H21", "Sở Thông tin và Truyền thông"), ("000.00.10.H21", "Sở Lao động - Thương binh và Xã hội"),
    ("000.00.11.H21", "Sở Văn hóa, Thể thao và Du lịch"), ("000.00.12.H21", "Sở Khoa học và Công nghệ"),
    ("000.00.13.H21", "Sở Giáo dục và Đào tạo"), ("000.00.14.H21", "Sở Y tế"),
    ("000.00.15.H21", "Thanh tra tỉnh"), ("000.00.16.H21", "Ban Dân tộc"),
    ("000.00.17.H21", "Ban Quản lý các khu công nghiệp"), ("000.00.19.H21", "Sở Tư pháp"),
    ("000.00.20.H21", "Sở Nội vụ"), ("000.00.21.H21", "Sở Ngoại vụ"),
]
DAK_NONG_DISTRICTS = [
    ("000.00.22.H21", "UBND thành phố Gia Nghĩa"), ("000.00.23.H21", "UBND huyện Cư Jút"),
    ("000.00.24.H21", "UBND huyện Krông Nô"), ("000.00.25.H21", "UBND huyện Đắk Song"),
    ("000.00.26.H21", "UBND huyện Đắk R'Lấp"), ("000.00.27.H21", "UBND huyện Đắk Glong"),
    ("000.00.28.H21", "UBND huyện Tuy Đức"), ("000.00.29.H21", "UBND huyện Đắk Mil"),
]
DAK_MIL_COMMUNES = [
    ("000.29.01.H21", "UBND thị trấn Đắk Mil"), ("000.29.02.H21", "UBND xã Đắk Lao"),
    ("000.29.03.H21", "UBND xã Đắk R'La"), ("000.29.04.H21", "UBND xã Đắk Gằn"),
    ("000.29.05.H21", "UBND xã Đức Mạnh"), ("000.29.06.H21", "UBND xã Đắk N'Drót"),
    ("000.29.07.H21", "UBND xã Long Sơn"), ("000.29.08.H21", "UBND xã Đắk Sắk"),
    ("000.29.09.H21", "UBND xã Thuận An"), ("000.29.10.H21", "UBND xã Đức Minh"),
]

# Field points of Sóc Trăng in the 2018 provincial PAR Index, as published (seed 004).
SOC_TRANG_2018 = {"1": "7.93", "2": "9.09", "3": "10.49", "4": "9.43", "5": "10.50", "6": "7.66",
                  "7": "9.55", "8": "13.70"}

PROCEDURES = [
    ("1.001757", "Cấp Phiếu lý lịch tư pháp"), ("2.000908", "Chứng thực bản sao từ bản chính"),
    ("2.001019", "Thẩm định, phê duyệt đề án"), ("1.000894", "Đăng ký khai sinh"),
    ("2.000488", "Cấp giấy phép xây dựng"), ("1.004227", "Đăng ký thành lập hộ kinh doanh"),
    ("1.001612", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu"), ("2.000794", "Đăng ký kết hôn"),
    ("1.003622", "Cấp giấy phép lái xe"), ("2.002156", "Thẩm định dự án đầu tư"),
]
CHANNELS = ("Trực tiếp", "Trực tuyến", "Bưu chính công ích")


@dataclass
class Campaign:
    folder: str
    set_file: str
    id: str
    name: str
    year: int
    kind: str
    units: list[tuple[str, str]]
    seed: int
    appraiser: str
    dossiers_per_unit: int = 12
    survey_forms: int = 6
    evidence_files: int = 3  # how many units get small evidence text files
    quality: tuple[float, float] = (0.72, 0.97)  # range of the units' hidden "how well they do" draw
    notes: list[str] = field(default_factory=list)
    previous: str = ""  # folder of last year's example campaign, whose results this one compares with
    mapping: tuple[tuple[str, str, str], ...] = ()  # (old code, new code or "", why) when the set was revised


# 2948/QĐ-BNV (2017) → 2636/QĐ-BNV (2018), below field level (both trees are modeled; the eight
# fields are the same). Only what changed is listed: a code not listed keeps its code when the 2018
# set has it (same criterion), and is reported as removed when it does not.
REVISION_2018 = (
    ("2.1", "2.1.1", "the plan for legal documents is now a sub-criterion of 2.1"),
    ("2.3", "2.3.2", "handling the unlawful documents found is now a sub-criterion of 2.3"),
    ("3.3.4", "", "inter-agency one-stop procedures: not assessed in 2018"),
    ("3.3.5", "3.3.4", "the one-stop office organised as required, renumbered"),
    ("5.7", "", "administrative discipline: not a criterion in 2018"),
    ("5.7.1", "", "administrative discipline: not a criterion in 2018"),
    ("5.7.2", "", "administrative discipline: not a criterion in 2018"),
    ("5.8", "5.7", "training, renumbered"),
    ("5.8.1", "5.7.1", "training, renumbered"),
    ("5.8.2", "5.7.2", "training, renumbered"),
    ("5.9", "5.8", "commune officials, renumbered"),
    ("5.9.1", "5.8.1", "commune officials, renumbered"),
    ("5.9.2", "5.8.2", "commune officials, renumbered"),
    ("7.1.3", "7.4", "the document management system: with 7.5.1, now criterion 7.4 (points added)"),
    ("7.1.5", "7.1.3", "the provincial portal, renumbered"),
    ("7.2.2", "", "share of level-4 services: not assessed in 2018"),
    ("7.2.3", "7.2.2", "level-3 dossiers received online: with 7.2.4, now 7.2.2 (points added)"),
    ("7.2.4", "7.2.2", "level-4 dossiers received online: with 7.2.3, now 7.2.2 (points added)"),
    ("7.4", "", "the one-stop office's premises: not assessed in 2018 (7.4 is another criterion)"),
    ("7.5.1", "7.4", "four-level electronic documents: with 7.1.3, now criterion 7.4 (points added)"),
    ("8.1", "8.2", "citizen satisfaction (SIPAS) is 8.2 in 2018"),
    ("8.2", "8.1", "the survey on state management is 8.1 in 2018"),
    ("8.3.2", "", "state budget revenue: not assessed in 2018"),
    ("8.3.3", "8.3.2", "growth against the targets: now 8.3.2, the socio-economic targets"),
)


CAMPAIGNS = [
    Campaign("province-2018", "par-province-2018.toml", "par-province-2018",
             "Chỉ số CCHC năm 2018 của các tỉnh, thành phố trực thuộc Trung ương (ví dụ)", 2018, "province",
             PROVINCES, 2018, "Bộ Nội vụ", dossiers_per_unit=10, survey_forms=4, quality=(0.5, 0.9),
             notes=["Sóc Trăng (94.toml) reproduces its published 2018 field points; see that file's header.",
                    "Last year: the 2017 example's results, through the 2017 → 2018 revision of the set",
                    "(previous/ and mapping.toml: see examples/generate.py)."],
             previous="province-2017", mapping=REVISION_2018),
    Campaign("province-2017", "par-province-2948.toml", "par-province-2017",
             "Chỉ số CCHC năm 2017 của các tỉnh, thành phố trực thuộc Trung ương theo Quyết định 2948/QĐ-BNV (ví dụ)",
             2017, "province", PROVINCES, 2017, "Bộ Nội vụ", dossiers_per_unit=10, survey_forms=4,
             quality=(0.5, 0.9)),
    Campaign("province-2023", "par-province-876.toml", "par-province-2023",
             "Chỉ số CCHC năm 2023 của các tỉnh, thành phố trực thuộc Trung ương theo Quyết định 876/QĐ-BNV (ví dụ)",
             2023, "province", PROVINCES, 2023, "Bộ Nội vụ", dossiers_per_unit=10, survey_forms=4),
    Campaign("dak-nong-2020-departments", "dak-nong-departments-2020.toml", "dak-nong-2020-departments",
             "Chỉ số CCHC năm 2020 của các sở, ban, ngành tỉnh Đắk Nông (ví dụ)", 2020, "department",
             DAK_NONG_DEPARTMENTS, 2020, "Hội đồng thẩm định Chỉ số CCHC tỉnh Đắk Nông", dossiers_per_unit=25,
             survey_forms=10, evidence_files=4, quality=(0.82, 0.99)),
    Campaign("dak-nong-2020-districts", "dak-nong-districts-2020.toml", "dak-nong-2020-districts",
             "Chỉ số CCHC năm 2020 của UBND các huyện, thành phố tỉnh Đắk Nông (ví dụ)", 2020, "district",
             DAK_NONG_DISTRICTS, 2021, "Hội đồng thẩm định Chỉ số CCHC tỉnh Đắk Nông", dossiers_per_unit=30,
             survey_forms=10, evidence_files=2),
    Campaign("dak-mil-2020-communes", "commune-framework.toml", "dak-mil-2020-communes",
             "Chỉ số CCHC năm 2020 của UBND các xã, thị trấn huyện Đắk Mil (ví dụ)", 2020, "commune",
             DAK_MIL_COMMUNES, 2022, "UBND huyện Đắk Mil", dossiers_per_unit=20, survey_forms=8, evidence_files=2),
]


# -- small writers -------------------------------------------------------------------------------
def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(type(value))


def toml_key(key: str) -> str:
    return key if key.replace("_", "").isalnum() and key.isascii() and not key[0].isdigit() else json.dumps(key, ensure_ascii=False)


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def write_csv(path: Path, header: list[str], rows: Iterable[list[str]], bom: bool = True) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8"))


def vn_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def dec(value: Any) -> Decimal:
    return Decimal(str(value))


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT)


# -- reading a set -------------------------------------------------------------------------------
@dataclass
class LeafInfo:
    code: str
    field: str
    max_points: Decimal
    rule: str
    spec: dict[str, Any]

    @property
    def check(self) -> str | None:
        return self.spec.get("check")


def read_set(path: Path) -> tuple[dict[str, Any], list[LeafInfo]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    criteria = data["criteria"]
    parents = {code.rsplit(".", 1)[0] for code in criteria if "." in code}

    def order(code: str) -> tuple[tuple[int, int | str], ...]:
        return tuple((0, int(p)) if p.isdigit() else (1, p) for p in code.split("."))

    leaves = [LeafInfo(code, code.split(".")[0], dec(spec["max_points"]), spec.get("rule", ""), spec)
              for code, spec in sorted(criteria.items(), key=lambda kv: order(kv[0])) if code not in parents]
    return data["set"], leaves


# -- answers, self-assessment, appraisals ---------------------------------------------------------
def declared_answer(leaf: LeafInfo, quality: float, rng: random.Random) -> Any:
    """A declared figure for a leaf scored from the unit's own answer (no evidence check)."""
    spec = leaf.spec
    good = rng.random() < quality
    if leaf.rule == "yes_no":
        return good or rng.random() < 0.5
    if leaf.rule == "choice":
        options = sorted(spec["options"].items(), key=lambda kv: -dec(kv[1]))
        return options[0][0] if good else options[min(len(options) - 1, rng.randint(1, 2))][0]
    if leaf.rule == "bands":
        bands = sorted(spec["bands"], key=lambda b: -dec(b.get("from", -1)))
        band = bands[0] if good else bands[min(len(bands) - 1, rng.randint(1, 2))]
        low = dec(band["from"]) if "from" in band else None
        high = dec(band["below"]) if "below" in band else None
        if low is None and high is not None:
            return q2(high * dec(rng.uniform(0.5, 0.95)))
        if high is None:
            return low if low == 100 else q2(low + (dec(100) - low) * dec(rng.uniform(0, 0.6)))
        return q2(low + (high - low) * dec(rng.uniform(0, 0.9)))
    if leaf.rule == "proportional":
        cap = dec(spec.get("cap", 100))
        return q2(cap * dec(min(1.0, rng.uniform(quality - 0.2, quality + 0.15))))
    if leaf.rule == "deduction":
        if "per_occurrence" in spec:
            return 0 if good else rng.randint(1, 2)
        return {} if good else {sorted(spec["severities"])[0]: 1}
    if leaf.rule in ("bonus", "penalty"):
        return rng.randint(0, 2) if leaf.rule == "bonus" else (0 if good else 1)
    if leaf.rule == "survey":
        options = list(spec["weights"])
        return {o: rng.randint(2, 40) if i < 2 else rng.randint(0, 8) for i, o in enumerate(options)}
    return None


def self_points(leaf: LeafInfo, quality: float, rng: random.Random) -> Decimal:
    if rng.random() < min(0.97, quality + 0.2):
        return leaf.max_points
    return q2(leaf.max_points * dec(rng.choice([0.5, 0.75, 0])))


REASONS = [
    "Tài liệu kiểm chứng chưa thể hiện đầy đủ kết quả đã tự chấm",
    "Văn bản ban hành sau thời hạn quy định",
    "Số liệu kê khai không khớp với báo cáo năm",
    "Chưa có tài liệu kiểm chứng kèm theo",
    "Kết quả thực hiện chưa đạt mức tự đánh giá",
]
EXPLANATIONS = [
    "Chấp nhận giải trình, đơn vị bổ sung tài liệu kiểm chứng",
    "Đơn vị giải trình: văn bản đã gửi qua hệ thống quản lý văn bản đúng hạn",
]


def appraisal_rounds(leaves: list[LeafInfo], selfs: Mapping[str, Decimal], campaign: Campaign,
                     rng: random.Random) -> list[dict[str, Any]]:
    """A few appraiser deductions with reasons; some are restored after the explanation round."""
    rounds = []
    candidates = [leaf for leaf in leaves if selfs.get(leaf.code, Decimal(0)) > 0 and leaf.rule not in ("bonus", "penalty")]
    day = dt.date(campaign.year + 1, 1, 20)
    for leaf in rng.sample(candidates, min(len(candidates), rng.randint(2, 4))):
        lowered = q2(selfs[leaf.code] * dec(rng.choice([0, 0.5, 0.75])))
        rounds.append({"code": leaf.code, "round": 1, "points": lowered, "reason": rng.choice(REASONS),
                       "by": campaign.appraiser, "at": day})
        if rng.random() < 0.3:
            rounds.append({"code": leaf.code, "round": 2, "points": selfs[leaf.code],
                           "reason": rng.choice(EXPLANATIONS), "by": campaign.appraiser,
                           "at": day + dt.timedelta(days=14)})
    return rounds


def split_field(leaves: list[LeafInfo], points: Decimal) -> dict[str, Decimal]:
    """Split a published field total over its leaves in proportion to their maxima, to the cent."""
    total_max = sum((leaf.max_points for leaf in leaves), Decimal(0))
    raw = {leaf.code: leaf.max_points * points / total_max for leaf in leaves}
    out = {code: value.quantize(CENT, rounding=ROUND_DOWN) for code, value in raw.items()}
    rest = int((points - sum(out.values(), Decimal(0))) / CENT)
    by_remainder = sorted(leaves, key=lambda leaf: (-(raw[leaf.code] - out[leaf.code]), leaf.code))
    for leaf in by_remainder[:rest]:
        out[leaf.code] += CENT
    assert sum(out.values(), Decimal(0)) == points
    assert all(out[leaf.code] <= leaf.max_points for leaf in leaves)
    return out


# -- one submission --------------------------------------------------------------------------------
def submission_text(campaign: Campaign, set_meta: Mapping[str, Any], leaves: list[LeafInfo], code: str, name: str,
                    quality: float, rng: random.Random, evidence_dir: Path | None) -> str:
    lines = [f"# {name}: hồ sơ tự đánh giá ví dụ (số liệu minh họa, do examples/generate.py sinh ra)."]
    selfs = {leaf.code: self_points(leaf, quality, rng) for leaf in leaves if leaf.rule not in ("bonus", "penalty")}
    answers = {}
    for leaf in leaves:
        if leaf.check or leaf.rule == "manual":
            continue
        answer = declared_answer(leaf, quality, rng)
        if answer is not None:
            answers[leaf.code] = answer
    special = campaign.folder == "province-2018" and name == "Sóc Trăng"
    if special:
        lines += [
            "# Sóc Trăng, PAR Index 2018: the appraisal rounds below add up, field by field, to the points Bộ Nội vụ",
            "# published (seed 004): 7,93 / 9,09 / 10,49 / 9,43 / 10,50 / 7,66 / 9,55 / 13,70 = 78,35, nhóm B.",
            "# ONLY THE FIELD TOTALS ARE PUBLISHED. Their split across sub-criteria is illustrative (in proportion",
            "# to each sub-criterion's maximum), as is everything else in this file.",
        ]
    lines += ["", f"criteria_set = {toml_value(set_meta['id'])}", "", "[unit]", f"code = {toml_value(code)}",
              f"name = {toml_value(name)}", f"kind = {toml_value(campaign.kind)}", f"period = {campaign.year}", "",
              "[self_assessment]"]
    lines += [f"{toml_key(c)} = {toml_value(p)}" for c, p in selfs.items()]
    lines += ["", "[answers]"]
    lines += [f"{toml_key(c)} = {toml_value(v)}" for c, v in answers.items()]
    lines += ["", "[figures]", f"so_tthc_cong_bo = {rng.randint(900, 1900)}",
              f"so_can_bo_cong_chuc = {rng.randint(1500, 9000)}"]
    documents = evidence_documents(campaign, leaves, code, name, rng, evidence_dir)
    for doc in documents:
        lines += ["", "[[documents]]"] + [f"{k} = {toml_value(v)}" for k, v in doc.items()]
    if special:
        rounds = []
        for field_code, published in SOC_TRANG_2018.items():
            field_leaves = [leaf for leaf in leaves if leaf.field == field_code]
            for leaf_code, points in split_field(field_leaves, Decimal(published)).items():
                rounds.append({"code": leaf_code, "round": 1, "points": points,
                               "reason": f"Điểm thẩm định (minh họa): phân bổ điểm lĩnh vực {field_code} đã công bố "
                                         f"({published}) theo tỷ lệ điểm tối đa",
                               "by": campaign.appraiser})
    elif rng.random() < 0.45:
        rounds = appraisal_rounds(leaves, selfs, campaign, rng)
    else:
        rounds = []
    for r in rounds:
        lines += ["", "[[appraisals]]"] + [f"{k} = {toml_value(v)}" for k, v in r.items()]
    return "\n".join(lines) + "\n"


def evidence_documents(campaign: Campaign, leaves: list[LeafInfo], code: str, name: str, rng: random.Random,
                       evidence_dir: Path | None) -> list[dict[str, Any]]:
    """Documents for leaves that list required evidence; a few units also carry small text files."""
    docs = []
    short = code.split(".")[-2] if "." in code else code
    for n, leaf in enumerate(leaf for leaf in leaves if leaf.spec.get("evidence")):
        if rng.random() < 0.15:
            continue  # the appraiser will flag missing evidence
        title = leaf.spec["evidence"][0]
        day = dt.date(campaign.year, rng.randint(1, 11), rng.randint(1, 28))
        doc: dict[str, Any] = {"number": f"{n + 1}/{'KH' if 'Kế hoạch' in title else 'BC'}-{short}", "date": day,
                               "issuer": name, "title": title,
                               "kind": "Kế hoạch" if "Kế hoạch" in title else "Báo cáo", "criteria": [leaf.code]}
        if evidence_dir is not None:
            file_name = f"{leaf.code}.txt"
            write_text(evidence_dir / file_name, f"{name}\n{doc['number']} ngày {vn_date(day)}\n{title}\n"
                                                 "(Tài liệu kiểm chứng minh họa.)\n")
            doc["file"] = f"evidence/{code}/{file_name}"
        docs.append(doc)
    return docs


# -- campaign-wide data files ---------------------------------------------------------------------
def check_params(leaves: list[LeafInfo], check: str) -> list[dict[str, Any]]:
    return [leaf.spec.get("check_params", {}) for leaf in leaves if leaf.check == check]


def dossier_rows(campaign: Campaign, code: str, name: str, quality: float, rng: random.Random,
                 counter: list[int]) -> list[list[str]]:
    rows = []
    prefix = code.split(".")[-1] if "." in code else f"T{code}"
    for _ in range(campaign.dossiers_per_unit):
        counter[0] += 1
        number, (proc, proc_name) = counter[0], rng.choice(PROCEDURES)
        level = rng.choice(["Mức độ 2", "Mức độ 3", "Mức độ 3", "Mức độ 4"])
        channel = rng.choices(CHANNELS, weights=[5, 4 if level != "Mức độ 2" else 0, 1])[0]
        received = dt.date(campaign.year, 1, 2) + dt.timedelta(days=rng.randint(0, 330))
        due = received + dt.timedelta(days=rng.choice([3, 5, 10, 15]))
        late = rng.random() > quality + 0.08
        done = due + dt.timedelta(days=rng.randint(1, 6)) if late else due - dt.timedelta(days=rng.randint(0, 2))
        postal = "Có" if channel == "Bưu chính công ích" or rng.random() < 0.1 else "Không"
        letter_no = letter_day = ""
        if late and rng.random() < quality:
            letter_no = f"{rng.randint(1, 99)}/TXL-{prefix}"
            letter_day = vn_date(due - dt.timedelta(days=rng.randint(0, 1)))
        rows.append([str(number), f"{prefix}.{number:05d}", code, name, proc, proc_name, level, channel,
                     vn_date(received), vn_date(due), vn_date(done), postal, letter_no, letter_day])
    return rows


def service_rows(code: str, quality: float, rng: random.Random) -> list[list[str]]:
    rows = []
    for proc, proc_name in PROCEDURES:
        level = rng.choices(["Mức độ 2", "Mức độ 3", "Mức độ 4"], weights=[1.2 - quality, quality, quality / 2])[0]
        rows.append([code, proc, proc_name, level])
    return rows


def register_rows(campaign: Campaign, leaves: list[LeafInfo], code: str, quality: float,
                  rng: random.Random) -> list[list[str]]:
    rows = []
    short = code.split(".")[-2] if "." in code else code
    seen = set()
    for n, params in enumerate(check_params(leaves, "documents.plan")):
        key = (params.get("type"), params.get("subject_contains"))
        if key in seen:
            continue
        seen.add(key)
        if rng.random() > quality + 0.15:
            continue  # plan not issued
        deadline = params["deadline"]
        late = rng.random() > quality
        day = deadline + dt.timedelta(days=rng.randint(3, 40)) if late else deadline - dt.timedelta(days=rng.randint(0, 20))
        subject = f"Kế hoạch {params.get('subject_contains', '')} năm {campaign.year}"
        rows.append([code, f"{n + 1}/KH-{short}", params.get("type", "Kế hoạch"), vn_date(day), subject])
    dues = sorted({d for params in check_params(leaves, "documents.reports") for d in params.get("due", [])})
    for n, due in enumerate(dues):
        if rng.random() > quality + 0.2:
            continue  # report missing
        day = due + dt.timedelta(days=rng.randint(1, 10)) if rng.random() > quality + 0.1 else due - dt.timedelta(days=rng.randint(0, 5))
        rows.append([code, f"{n + 1}/BC-{short}", "Báo cáo", vn_date(day),
                     f"Báo cáo kết quả thực hiện công tác cải cách hành chính kỳ {n + 1} năm {campaign.year}"])
    return rows


SIPAS_OPTIONS = ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"]


def survey_rows(campaign: Campaign, leaves: list[LeafInfo], code: str, quality: float,
                rng: random.Random) -> list[list[str]]:
    rows = []
    questions = [p["question"] for p in check_params(leaves, "survey.question")]
    sipas = bool(check_params(leaves, "survey.sipas"))
    for form in range(1, campaign.survey_forms + 1):
        form_id = f"{code}-{form:03d}"
        for question in questions:
            answer = rng.choices("ABCD", weights=[quality * 3, 2, 1, 0.5])[0]
            rows.append([code, form_id, question, answer])
        if sipas:
            for question in ("SIPAS.1", "SIPAS.2", "SIPAS.3", "SIPAS.4", "SIPAS.5"):
                answer = rng.choices(SIPAS_OPTIONS, weights=[quality * 4, 3, 1, 0.4, 0.1])[0]
                rows.append([code, f"S{form_id}", question, answer])
    return rows


# -- one campaign -----------------------------------------------------------------------------------
def generate(campaign: Campaign, root: Path = HERE) -> None:
    """Write one campaign folder under `root` (the examples folder unless a test asks for another)."""
    folder = root / campaign.folder
    if folder.exists():
        shutil.rmtree(folder)
    set_meta, leaves = read_set(SETS / campaign.set_file)
    rng = random.Random(campaign.seed)
    counter = [0]
    dossiers: list[list[str]] = []
    services: list[list[str]] = []
    register: list[list[str]] = []
    survey: list[list[str]] = []
    for n, (code, name) in enumerate(campaign.units):
        quality = rng.uniform(*campaign.quality)
        evidence_dir = folder / "submissions" / "evidence" / code if n < campaign.evidence_files else None
        text = submission_text(campaign, set_meta, leaves, code, name, quality, rng, evidence_dir)
        write_text(folder / "submissions" / f"{code}.toml", text)
        if any(leaf.check == "tthc.dossiers" or leaf.check == "dvc.services" for leaf in leaves):
            dossiers += dossier_rows(campaign, code, name, quality, rng, counter)
        if any(leaf.check == "dvc.services" for leaf in leaves):
            services += service_rows(code, quality, rng)
        if any(leaf.check in ("documents.plan", "documents.reports") for leaf in leaves):
            register += register_rows(campaign, leaves, code, quality, rng)
        if any(leaf.check in ("survey.question", "survey.sipas") for leaf in leaves):
            survey += survey_rows(campaign, leaves, code, quality, rng)
    data = {}
    if dossiers:
        write_csv(folder / "data" / "dossiers.csv",
                  ["STT", "Mã hồ sơ", "Mã đơn vị", "Đơn vị tiếp nhận", "Mã TTHC", "Tên TTHC", "Mức độ DVC",
                   "Hình thức nộp", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả", "Trả kết quả qua BCCI",
                   "Số thư xin lỗi", "Ngày thư xin lỗi"], dossiers)
        data["dossiers"] = "data/dossiers.csv"
    if services:
        write_csv(folder / "data" / "services.csv", ["Mã đơn vị", "Mã TTHC", "Tên TTHC", "Mức độ DVC"], services)
        data["services"] = "data/services.csv"
    if register:
        write_csv(folder / "data" / "register.csv",
                  ["Mã đơn vị", "Số ký hiệu", "Loại văn bản", "Ngày ban hành", "Trích yếu"], register)
        data["register"] = "data/register.csv"
    if survey:
        write_csv(folder / "data" / "survey.csv", ["Mã đơn vị", "Mã phiếu", "Câu hỏi", "Trả lời"], survey)
        data["survey"] = "data/survey.csv"
    last_year = []
    if campaign.previous:
        previous = next(c for c in CAMPAIGNS if c.folder == campaign.previous)
        results = f"previous/{previous.id}.json"
        write_previous_results(HERE / previous.folder / "campaign.toml", folder / results)
        last_year = [f"previous_results = {toml_value(results)}"]
        if campaign.mapping:
            write_mapping(folder / "mapping.toml", previous, campaign)
            last_year.append('code_mapping = "mapping.toml"')
    lines = [
        "# Example campaign generated by examples/generate.py: illustrative figures, not real results.",
        *[f"# {note}" for note in campaign.notes],
        "[campaign]",
        f"id = {toml_value(campaign.id)}",
        f"name = {toml_value(campaign.name)}",
        f"criteria_set = {toml_value('../../criteria_sets/' + campaign.set_file)}",
        'submissions = ["submissions"]',
        *last_year,
        "",
        "[campaign.data]",
        *[f"{k} = {toml_value(v)}" for k, v in data.items()],
    ]
    write_text(folder / "campaign.toml", "\n".join(lines) + "\n")


def write_previous_results(campaign_file: Path, target: Path) -> None:
    """Last year's results as parrules writes them: the campaign JSON of the committed example (the
    same bytes as `parrules campaign CAMPAIGN -o DIR --formats json`). It reads `examples/`, never a
    test's copy: the example it runs is itself checked to be what this script generates."""
    import parrules  # only here: the rest of the script writes inputs and needs no parrules

    result = parrules.run_campaign(parrules.load_campaign(campaign_file))
    target.parent.mkdir(parents=True, exist_ok=True)
    result.write_json(target)


def write_mapping(path: Path, previous: Campaign, campaign: Campaign) -> None:
    """The code mapping, each entry with the two criteria's names so a reader can check it."""
    old_data, new_data = (tomllib.loads((SETS / c.set_file).read_text(encoding="utf-8")) for c in (previous, campaign))
    old_names = {c: spec["name"] for c, spec in old_data["criteria"].items()}
    new_names = {c: spec["name"] for c, spec in new_data["criteria"].items()}
    old_id = old_data["set"]["id"]
    lines = [f"# Criterion codes of {previous.set_file} (the {previous.year} results) → {campaign.set_file}.",
             "# Generated by examples/generate.py (REVISION_2018). A code not listed keeps its code when the",
             f"# {campaign.year} set has it; one the {campaign.year} set lacks is reported as removed.",
             "[mapping]", f"from_set = {toml_value(old_id)}", f"to_set = {toml_value(new_data['set']['id'])}", "",
             "[mapping.codes]"]
    for old, new, why in campaign.mapping:
        target = f"{new} {new_names[new]}" if new else "no counterpart"
        lines += [f"# {old} {old_names[old]} → {target}: {why}", f"{toml_value(old)} = {toml_value(new)}"]
    write_text(path, "\n".join(lines) + "\n")


def main() -> None:
    # A campaign that compares with last year's runs that year's example, so that one comes first.
    for campaign in sorted(CAMPAIGNS, key=lambda c: bool(c.previous)):
        generate(campaign)
        print(f"examples/{campaign.folder}: {len(campaign.units)} units")


if __name__ == "__main__":
    main()
