"""The service catalogue: the shipped TOML files load cleanly, and broken files are reported precisely."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.domain.catalog import FIELD_TYPES, RESERVED_KEYS, Catalog, CatalogProblem, load_catalog
from app.domain.offices import OfficeLevel, directory
from app.domain.roles import Role
from app.i18n import set_language
from app.paths import resources_dir

SERVICES_DIR = resources_dir() / "services"
ALL_CODES = ["BAMUS", "LAPSEK", "NODIN", "RUJKES", "SKD", "SKTM", "SKU", "SPDUK", "USULMUS"]
# Placeholders the letter renderer fills from the case and the signing office, besides the field keys.
CONTEXT_PLACEHOLDERS = {"office_name", "kecamatan_name", "signer_position", "nama", "nik", "nomor", "tanggal"}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def language_reset() -> Iterator[None]:
    yield
    set_language(None)


# --- the shipped catalogue -------------------------------------------------------------------------------


def test_all_services_load_without_problems(catalog: Catalog) -> None:
    assert [str(p) for p in catalog.problems] == []
    assert sorted(catalog.services) == ALL_CODES
    assert [s.code for s in catalog] == ALL_CODES


@pytest.mark.parametrize("code", ALL_CODES)
def test_service_file_is_named_after_its_code(catalog: Catalog, code: str) -> None:
    assert catalog.get(code).source.name == f"{code.lower()}.toml"
    assert catalog.get(f" {code.lower()} ").code == code  # lookup is forgiving about case and spaces


@pytest.mark.parametrize("code", ALL_CODES)
def test_service_is_consistent(catalog: Catalog, code: str) -> None:
    service = catalog.get(code)
    assert service.sla_days >= 1
    assert re.fullmatch(r"\d{3}(\.\d+)*", service.classification), service.classification
    assert service.approval_chain[-1].role is Role.PENANDATANGAN
    assert service.letter.title.isupper()
    assert service.letter.paragraphs and service.letter.closing
    keys = [f.key for f in service.fields]
    assert len(keys) == len(set(keys))
    assert not RESERVED_KEYS & set(keys)
    for f in service.fields:
        assert f.type in FIELD_TYPES
        assert (f.type == "choice") == bool(f.choices), f.key
        if f.pattern:
            re.compile(f.pattern)
    assert any(f.required for f in service.fields)
    if code not in ("NODIN", "BAMUS"):  # a memo's attachments are optional; a berita acara is the record itself
        assert any(d.required for d in service.documents)
    if service.owner_office is not None:
        office = directory().get(service.owner_office)
        assert office is not None and office.level is service.office_level


@pytest.mark.parametrize("code", ALL_CODES)
def test_letter_placeholders_refer_to_known_values(catalog: Catalog, code: str) -> None:
    service = catalog.get(code)
    keys = {f.key for f in service.fields}
    known = keys | CONTEXT_PLACEHOLDERS | {f"{k}_text" for k in keys}
    for paragraph in service.letter.paragraphs:
        if paragraph.startswith("@data "):
            for item in paragraph.removeprefix("@data ").split(","):
                for key in item.strip().split("/"):
                    assert key in keys | {"nama", "nik"}, f"{code}: @data {key}"
        else:
            for key in _PLACEHOLDER.findall(paragraph):
                assert key in known, f"{code}: {{{key}}}"
        if not service.requires_nik:
            assert "{nik}" not in paragraph and not re.search(r"@data .*\bnik\b", paragraph)


@pytest.mark.parametrize("path", sorted(SERVICES_DIR.glob("*.toml")), ids=lambda p: p.name)
def test_every_name_and_label_is_bilingual(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    def bilingual(value: Any, where: str) -> None:
        assert isinstance(value, dict) and value.get("id") and value.get("en"), f"{path.name}: {where}"

    bilingual(data["name"], "name")
    assert data["name"]["id"] != data["name"]["en"]
    for i, f in enumerate(data["fields"]):
        bilingual(f["label"], f"fields[{i}].label")
        if "help" in f:
            bilingual(f["help"], f"fields[{i}].help")
        for c in f.get("choices", []):
            bilingual(c["label"], f"fields[{i}].choices")
    for i, d in enumerate(data.get("documents", [])):
        bilingual(d["name"], f"documents[{i}].name")


def test_specific_services(catalog: Catalog) -> None:
    lapsek = catalog.get("LAPSEK")
    assert (lapsek.office_level, lapsek.owner_office, lapsek.area) == (
        OfficeLevel.OPD, "35.73.OPD.DISDIK", "pendidikan")
    assert not lapsek.requires_nik
    npsn = lapsek.field("npsn")
    assert npsn is not None and npsn.pattern == "[0-9]{8}"
    jenjang = lapsek.field("jenjang")
    assert jenjang is not None and [c.key for c in jenjang.choices] == ["SD", "SMP"]

    rujkes = catalog.get("RUJKES")
    assert (rujkes.office_level, rujkes.owner_office, rujkes.area) == (
        OfficeLevel.OPD, "35.73.OPD.DINKES", "kesehatan")
    assert rujkes.requires_nik
    bpjs = rujkes.field("no_bpjs")
    assert bpjs is not None and not bpjs.required

    usulmus = catalog.get("USULMUS")
    assert not usulmus.requires_nik and usulmus.area == "e-budgeting"
    assert [(s.role, s.office) for s in usulmus.approval_chain] == [
        (Role.VERIFIKATOR, "self"), (Role.PENANDATANGAN, "self"), (Role.PENANDATANGAN, "parent")]
    cost = usulmus.field("estimasi_biaya")
    assert cost is not None and cost.type == "money" and cost.min == 0
    year = usulmus.field("tahun_anggaran")
    assert year is not None and year.type == "year"

    nodin = catalog.get("NODIN")
    assert nodin.office_level is OfficeLevel.OPD and nodin.owner_office is None
    assert not nodin.requires_nik and nodin.area == "e-government"
    sifat = nodin.field("sifat")
    assert sifat is not None and [c.key for c in sifat.choices] == ["biasa", "segera", "rahasia"]

    sktm = catalog.get("SKTM")
    assert {f.key: f.type for f in sktm.fields}.items() >= {
        "untuk": "choice", "penghasilan": "money", "tanggungan": "integer", "no_kk": "kk"}.items()
    for code in ("SKTM", "SKU", "SPDUK", "SKD"):
        service = catalog.get(code)
        assert service.office_level is OfficeLevel.KELURAHAN and service.requires_nik
    layanan = catalog.get("SPDUK").field("layanan")
    assert layanan is not None
    assert {"ktp_el", "kk", "akta_kelahiran", "pindah"} <= {c.key for c in layanan.choices}


@pytest.mark.parametrize("code", ALL_CODES)
def test_as_dict_shape(catalog: Catalog, code: str) -> None:
    out = catalog.get(code).as_dict()
    assert {"code", "name", "office_level", "fields", "documents"} <= out.keys()
    assert out["code"] == code
    assert out["office_level"] in {level.value for level in OfficeLevel}
    assert isinstance(out["name"], str) and out["name"]
    for f in out["fields"]:
        assert set(f) == {"key", "label", "type", "required", "choices"}
        assert isinstance(f["required"], bool) and isinstance(f["choices"], list)
        assert all(isinstance(c, str) for c in f["choices"])
    for d in out["documents"]:
        assert set(d) == {"code", "name", "required"}


def test_as_dict_follows_the_language(catalog: Catalog, language_reset: None) -> None:
    sktm = catalog.get("SKTM")
    set_language("id")
    out = sktm.as_dict()
    assert out["name"] == "Surat Keterangan Tidak Mampu"
    assert out["fields"][0] == {"key": "tempat_lahir", "label": "Tempat lahir", "type": "text",
                                "required": True, "choices": []}
    untuk = next(f for f in out["fields"] if f["key"] == "untuk")
    assert untuk["choices"] == ["pendidikan", "kesehatan", "bansos", "lainnya"]
    assert out["documents"][0] == {"code": "ktp", "name": "KTP-el", "required": True}
    set_language("en")
    out = sktm.as_dict()
    assert out["name"] == "Certificate of Low Income"
    assert out["fields"][0]["label"] == "Place of birth"
    assert out["names"] == {"id": "Surat Keterangan Tidak Mampu", "en": "Certificate of Low Income"}


# --- broken files ----------------------------------------------------------------------------------------

SKD_TEXT = (SERVICES_DIR / "skd.toml").read_text(encoding="utf-8")


def _replace_line(text: str, old: str, new: str) -> tuple[str, int]:
    """``text`` with the one line containing ``old`` replaced by ``new``; also the 1-based line number."""
    lines = text.splitlines()
    hits = [n for n, line in enumerate(lines) if old in line]
    assert len(hits) == 1, f"{old!r} is not on exactly one line"
    lines[hits[0]] = new
    return "\n".join(lines) + "\n", hits[0] + 1


def _block_of(text: str, line_no: int, header: str = "[[fields]]") -> int:
    """Which (0-based) ``header`` block a 1-based line belongs to."""
    lines = text.splitlines()[:line_no]
    return sum(1 for line in lines if line.strip() == header) - 1


def _broken_files() -> dict[str, tuple[str, int, str, str]]:
    """file name -> (text, expected line, expected field, part of the expected message)."""
    cases: dict[str, tuple[str, int, str, str]] = {}

    text, line = _replace_line(SKD_TEXT, "sla_days = 1", "sla_days = = 1")
    cases["syntax.toml"] = (text, line, "-", "line")

    text, _ = _replace_line(SKD_TEXT, 'code = "SKD"', "# the code line was lost")
    cases["no_code.toml"] = (text, 1, "code", "missing")

    text, line = _replace_line(SKD_TEXT, 'type = "choice"', 'type = "dropdown"')
    assert _block_of(text, line) == 2  # the 3rd [[fields]] block
    cases["bad_type.toml"] = (text, line, "fields[2].type", "dropdown")

    # the same, with comments after the table headers
    commented = text.replace("[[fields]]\n", "[[fields]]  # isian\n")
    cases["bad_type_commented.toml"] = (commented, line, "fields[2].type", "dropdown")

    text, line = _replace_line(SKD_TEXT, 'key = "no_kk"', 'key = "tempat_lahir"')
    assert _block_of(text, line) == 3
    cases["dup_key.toml"] = (text, line, "fields[3].key", "duplicate")

    text, _ = _replace_line(SKD_TEXT, '{ role = "penandatangan", office = "self" },',
                            '  { role = "verifikator", office = "parent" },')
    line = text.splitlines().index("approval_chain = [") + 1
    cases["chain.toml"] = (text, line, "approval_chain", "penandatangan")

    text, line = _replace_line(SKD_TEXT, 'role = "verifikator"', '  { role = "lurah", office = "self" },')
    cases["bad_role.toml"] = (text, text.splitlines().index("approval_chain = [") + 1,
                              "approval_chain[0].role", "lurah")

    text, line = _replace_line(SKD_TEXT, 'code = "pengantar_rt"', "# no code")
    assert _block_of(text, line, "[[documents]]") == 2
    cases["doc_code.toml"] = (text, line - 1, "documents[2].code", "missing")  # the [[documents]] header

    text, line = _replace_line(SKD_TEXT, 'title = "SURAT KETERANGAN DOMISILI"', "title = 7")
    cases["letter_title.toml"] = (text, line, "letter.title", "str")

    text, line = _replace_line(SKD_TEXT, "max_length = 150", 'max = "banyak"')
    assert _block_of(text, line) == 6
    cases["bad_bound.toml"] = (text, line, "fields[6].max", "number")
    return cases


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    for name, (text, *_rest) in _broken_files().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    for code in ("skd", "sktm", "nodin"):
        (tmp_path / f"{code}.toml").write_text((SERVICES_DIR / f"{code}.toml").read_text(encoding="utf-8"),
                                               encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a service", encoding="utf-8")
    return tmp_path


def test_good_files_load_beside_broken_ones(mixed_folder: Path) -> None:
    catalog = load_catalog(mixed_folder)
    assert sorted(catalog.services) == ["NODIN", "SKD", "SKTM"]
    assert sorted(p.path.name for p in catalog.problems) == sorted(_broken_files())


@pytest.mark.parametrize("name", sorted(_broken_files()))
def test_broken_file_is_reported_precisely(mixed_folder: Path, name: str) -> None:
    _text, line, field, fragment = _broken_files()[name]
    problems = [p for p in load_catalog(mixed_folder).problems if p.path.name == name]
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.path, problem.line, problem.field) == (mixed_folder / name, line, field), str(problem)
    assert fragment in problem.message
    assert str(problem).startswith(f"{name}:{line}: {field}: ")


def test_duplicate_service_code_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(SKD_TEXT, encoding="utf-8")
    (tmp_path / "b.toml").write_text(SKD_TEXT, encoding="utf-8")
    catalog = load_catalog(tmp_path)
    assert list(catalog.services) == ["SKD"] and catalog.services["SKD"].source.name == "a.toml"
    expected_line = SKD_TEXT.splitlines().index('code = "SKD"') + 1
    assert catalog.problems == [CatalogProblem(tmp_path / "b.toml", expected_line, "code",
                                               "duplicate service code SKD")]


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "latin1.toml").write_bytes('name = "Surat Keterangan Domisili é"'.encode("latin-1"))
    catalog = load_catalog(tmp_path)
    assert catalog.services == {}
    assert [(p.path.name, p.line, p.field) for p in catalog.problems] == [("latin1.toml", 1, "-")]
