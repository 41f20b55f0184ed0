"""Matters on disk: they survive a restart, keep their passages, and refuse grounds that do not exist."""

from __future__ import annotations

import json

import pytest

from kb.drafting.matters import GROUNDS, MatterStore
from legal.errors import MatterNotFoundError


@pytest.fixture(scope="module")
def saadi_hit(sample_kb):
    hits = sample_kb.search("substantial grounds real risk Article 3 expulsion", limit=20)
    return next(h for h in hits if h.doc_id == "HEJUD-37201-06" and h.paragraph)


def test_matters_survive_reopening_the_store(tmp_path, saadi_hit):
    store = MatterStore(tmp_path / "matters")
    first = store.create("Wang Wei", requesting_state="China", offence="bribery", risk_factors="Uyghur; Falun Gong")
    second = store.create("Ivanov", requesting_state="Russia")
    first.add_passage(saadi_hit, "article3", note="the test for real risk")
    first.add_custom_ground("Article 8: family life")
    store.save(first)

    reopened = MatterStore(tmp_path / "matters")
    assert [m.id for m in reopened.list()] == [first.id, second.id]  # most recently updated first
    again = reopened.get(first.id)
    assert (again.name, again.requesting_state, again.offence) == ("Wang Wei", "China", "bribery")
    assert again.custom_grounds == ["Article 8: family life"]
    [passage] = again.passages
    assert passage.citation == saadi_hit.citation
    assert passage.citation.startswith("Saadi v. Italy [GC], no. 37201/06, §")
    assert passage.text == saadi_hit.text and passage.note == "the test for real risk"
    assert not [p for p in (tmp_path / "matters").iterdir() if p.suffix != ".json" and p.name != ".locks"]  # no temp


def test_add_passage_is_idempotent_per_ground_and_remove_by_ground(tmp_path, saadi_hit):
    matter = MatterStore(tmp_path).create("A")
    matter.add_passage(saadi_hit, "article3")
    matter.add_passage(saadi_hit, "article3")
    matter.add_passage(saadi_hit, "assurances")
    assert [p.ground for p in matter.passages] == ["article3", "assurances"]
    assert matter.remove_passage(saadi_hit.chunk_id, "article3") == 1
    assert [p.ground for p in matter.passages] == ["assurances"]
    assert matter.remove_passage(saadi_hit.chunk_id) == 1
    assert matter.passages == []


def test_unknown_ground_is_refused_with_the_valid_ones(tmp_path, saadi_hit):
    matter = MatterStore(tmp_path).create("A")
    with pytest.raises(ValueError) as err:
        matter.add_passage(saadi_hit, "article99")
    assert "article99" in str(err.value) and all(key in str(err.value) for key in GROUNDS)
    matter.add_custom_ground("Abuse of process")
    matter.add_passage(saadi_hit, "Abuse of process")
    assert matter.passages[0].ground == "Abuse of process"


def test_missing_bad_and_damaged_matters(tmp_path):
    store = MatterStore(tmp_path)
    with pytest.raises(MatterNotFoundError, match="kb matter list"):
        store.get("no-such-matter")
    with pytest.raises(MatterNotFoundError):
        store.get("../../etc/passwd")
    good = store.create("Good")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    assert [m.id for m in store.list()] == [good.id]  # one damaged file does not hide the others
    with pytest.raises(ValueError, match="broken.json"):
        store.get("broken")
    with pytest.raises(ValueError, match="needs a name"):
        store.create("   ")
    store.delete(good.id)
    assert store.list() == []
    with pytest.raises(MatterNotFoundError):
        store.delete(good.id)


def test_matter_file_is_plain_json_with_quoted_text(tmp_path, saadi_hit):
    store = MatterStore(tmp_path)
    matter = store.create("Quote keeper")
    matter.add_passage(saadi_hit, "article3")
    store.save(matter)
    data = json.loads((tmp_path / f"{matter.id}.json").read_text(encoding="utf-8"))
    assert data["passages"][0]["text"] == saadi_hit.text
    assert data["passages"][0]["section"] == saadi_hit.section


OLD_MATTER_FILE = {
    "schema": 1, "id": "wang-1a2b3c", "name": "Wang — PRC request", "requesting_state": "China",
    "offence": "bribery", "risk_factors": "", "notes": "", "custom_grounds": [],
    "created": "2026-11-01T10:00:00.000000+00:00", "updated": "2026-11-01T10:00:00.000000+00:00",
    "passages": [{"chunk_id": "c1", "doc_id": "HEJUD-37201-06", "paragraph": "125",
                  "citation": "Saadi v. Italy [GC], no. 37201/06, § 125, 28 February 2008", "text": "However, …",
                  "url": None, "ground": "death_penalty", "note": "", "added": "2026-11-01T10:00:00+00:00",
                  "section": "THE LAW", "heading": None}],
}
"""A matter file as the first version wrote it: no client, penalty, chosen grounds, assurances or adverse marks."""


def test_a_matter_file_from_the_first_version_still_loads(tmp_path):
    from kb.drafting.draft import category

    (tmp_path / "wang-1a2b3c.json").write_text(json.dumps(OLD_MATTER_FILE), encoding="utf-8")
    store = MatterStore(tmp_path)
    matter = store.get("wang-1a2b3c")
    assert matter.client == "" and matter.client_name() == "the requested person"
    assert list(matter.grounds()) == ["article3", "article6", "assurances", "death_penalty"]
    [passage] = matter.passages
    assert passage.adverse is False and passage.source_kind is None
    assert category(passage) == "gc"  # told from the citation when the file did not keep the source kind
    store.save(matter)
    again = json.loads((tmp_path / "wang-1a2b3c.json").read_text(encoding="utf-8"))
    assert again["schema"] == 2 and again["chosen_grounds"] == list(matter.grounds())


def test_client_grounds_and_assurances(tmp_path, saadi_hit):
    from kb.drafting.matters import Assurance

    store = MatterStore(tmp_path)
    matter = store.create("Li — PRC", client="Mr Li Wei", requesting_state="People's Republic of China",
                          offence="embezzlement", penalty="death penalty", grounds=["article3", "assurances"],
                          assurances=[Assurance("will not be tortured", "Ministry of Public Security", "2026-05-02")])
    again = store.get(matter.id)
    assert (again.client, again.penalty) == ("Mr Li Wei", "death penalty")
    assert list(again.grounds()) == ["article3", "assurances"]
    assert again.assurances == [Assurance("will not be tortured", "Ministry of Public Security", "2026-05-02")]
    again.remove_ground("assurances")
    assert list(again.grounds()) == ["article3"] and "assurances" in again.available_grounds()
    with pytest.raises(ValueError, match="unknown ground 'artcle3'"):
        again.choose_grounds(["artcle3"])
    again.choose_grounds(["article3", "Article 8: family life"])
    assert list(again.grounds()) == ["article3", "Article 8: family life"]
    # filing a passage under a ground is choosing it; the same passage again updates note and adverse mark
    again.add_passage(saadi_hit, "death_penalty", note="first")
    again.add_passage(saadi_hit, "death_penalty", note="the Vilvarajah point", adverse=True)
    [p] = again.passages_for("death_penalty")
    assert (p.note, p.adverse, p.source_kind, p.grand_chamber) == ("the Vilvarajah point", True, "echr", True)
    assert "death_penalty" in again.grounds()
    again.annotate(saadi_hit.chunk_id, "death_penalty", note="reply", adverse=False)
    assert (again.passages[0].note, again.passages[0].adverse) == ("reply", False)
    with pytest.raises(ValueError, match="needs its words"):
        again.add_assurance("  ")


def test_cli_create_add_passage_and_show_json(sample_kb, capsys):
    from kb.cli import HANDLERS, build_parser

    def run(*argv: str) -> str:
        args = build_parser().parse_args(list(argv))
        assert HANDLERS[args.command](sample_kb, args) == 0
        return capsys.readouterr().out

    matter_id = run("matter", "create", "Li — PRC embezzlement", "--client", "Mr Li Wei", "--state", "China",
                    "--offence", "embezzlement", "--penalty", "life imprisonment", "--grounds", "article3,assurances",
                    "--assurances", "no torture", "--assurances-by", "Ministry of Public Security",
                    "--risk", "fears liuzhi").strip()
    out = run("matter", "add-passage", matter_id, "Othman (Abu Qatada) v. the United Kingdom, no. 8139/09, § 188",
              "--ground", "assurances", "--note", "rare cases only", "--adverse")
    assert out.startswith("Othman (Abu Qatada) v. the United Kingdom, no. 8139/09, § 188") and "(adverse)" in out
    run("matter", "add-passage", matter_id, "HEJUD-37201-06 § 125", "--ground", "article3")
    data = json.loads(run("matter", "show", matter_id, "--json"))
    assert data["client"] == "Mr Li Wei" and data["penalty"] == "life imprisonment"
    assert data["chosen_grounds"] == ["article3", "assurances"]
    assert data["assurances"] == [{"text": "no torture", "giver": "Ministry of Public Security", "date": ""}]
    assert [(p["doc_id"], p["paragraph"], p["ground"], p["adverse"]) for p in data["passages"]] == [
        ("HEJUD-8139-09", "188", "assurances", True), ("HEJUD-37201-06", "125", "article3", False)]
    chunk = data["passages"][1]["chunk_id"]
    run("matter", "add-passage", matter_id, chunk, "--ground", "article3", "--note", "the test")
    assert json.loads(run("matter", "show", matter_id, "--json"))["passages"][1]["note"] == "the test"
    from legal.errors import DocumentNotFoundError

    with pytest.raises(DocumentNotFoundError, match="Narnia"):
        run("matter", "add-passage", matter_id, "Smith v. Narnia, no. 1/99, § 3", "--ground", "article3")
