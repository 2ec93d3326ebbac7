"""Run tables as plain columns, made into one DataFrame per group of runs: the same frames, value for
value and type for type, as each run's own table concatenated in plan order (what the batch built
before), whatever the mix of runs; and what a worker does before its first run (gc.freeze)."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

from sim.batch import engine, executors, plan, run_one
from sim.batch.columns import CodedText, Piece, RunTable, group_frames, in_plan_order, kind_of, monthly_rows, run_tables
from sim.batch.engine import column_totals
from sim.batch.runresult import id_columns
from sim.model import InsurgencyModel
from sim.outcomes import COUNTED_PER_MONTH


@pytest.fixture(scope="module")
def finished() -> list[tuple[str, dict, InsurgencyModel]]:
    """Three short runs: two scenarios, one of a single month (few incidents)."""
    specs = [*plan(["baseline", "us_withdrawal"], reps=1, seed=4, sets={"months": 3}),
             *plan(["baseline"], reps=1, seed=8, sets={"months": 1})]
    out = []
    for spec in specs:
        model = engine.build_model(spec)
        model.run()
        out.append((spec.run_id, id_columns(spec), model))
    return out


def _own_frame(ids: dict, frame: pd.DataFrame) -> pd.DataFrame:
    """A run's table as the batch built it per run: its ids first, in one frame."""
    return pd.concat([pd.DataFrame({k: [v] * len(frame) for k, v in ids.items()}, index=frame.index), frame], axis=1)


def test_plain_columns_give_the_frames_of_the_models_own_methods(finished: list) -> None:
    for _, ids, model in finished:
        tables = run_tables(model)
        assert all(t.frame is None for t in tables.values())  # the stock model's tables are plain
        pd.testing.assert_frame_equal(tables["monthly"].frame_with(ids), _own_frame(ids, model.monthly_frame()))
        pd.testing.assert_frame_equal(tables["incidents"].frame_with(ids), _own_frame(ids, model.incident_frame()))
        villages = model.village_frame()
        expected = pd.DataFrame({"village": villages["name"], **{c: villages[c] for c in (
            "x", "y", "zone", "district", "influence", "trust", "stronghold_score")},
            "zakat_usd": np.asarray(model.zakat_by_village, dtype=float)})
        pd.testing.assert_frame_equal(tables["villages"].frame_with(ids), _own_frame(ids, expected))


def test_a_run_result_gives_its_tables_as_frames(finished: list) -> None:
    spec = plan(["baseline"], reps=1, seed=8, sets={"months": 1})[0]
    result = run_one(spec)
    model = next(m for _, ids, m in finished if ids["seed"] == spec.seed)
    pd.testing.assert_frame_equal(result.monthly, _own_frame(id_columns(spec), model.monthly_frame()))
    assert set(result.tables) == {"monthly", "villages", "incidents"}
    assert result.summary["n_months"] == 1 and result.summary["total_attacks"] == model.monthly_frame()["attacks"].sum()


def test_an_overridden_table_method_is_used() -> None:
    class Custom(InsurgencyModel):
        def monthly_frame(self) -> pd.DataFrame:
            return super().monthly_frame().assign(extra="x")

    spec = plan(["baseline"], reps=1, seed=1, sets={"months": 1})[0]
    model = engine.build_model(spec, Custom)
    model.run()
    monthly = run_tables(model)["monthly"]
    assert monthly.frame is not None and list(monthly.frame["extra"]) == ["x"]


@pytest.mark.parametrize(("values", "kind"), [
    ([1.0, np.nan], "float64"), ([1, 2], "int64"), ([np.int64(1), 2], "int64"), (["a", "b"], "str"),
    ([True, np.bool_(False)], "bool"), (np.array(["ab", "c"]), "str"), (np.arange(3, dtype=np.int32), "int32"),
    ([1, 2.0], None), ([1, None], None), ([2**63], None), ([], None), (np.array([object()]), None),
])
def test_kind_of(values: list, kind: str | None) -> None:
    assert kind_of(values) == kind
    if kind is not None:  # what pandas infers for the column, as the batch relies on
        assert str(pd.DataFrame({"c": values})["c"].dtype) == str(pd.Series(["s"]).dtype if kind == "str" else kind)


def test_groups_merged_in_plan_order_equal_runs_concatenated(finished: list) -> None:
    members = []
    for run_id, ids, model in finished:
        tables = run_tables(model)
        members.append((run_id, ids, tables["incidents"]))
    # runs the batch cannot join column by column: mixed kinds in a column, an empty table, ids that are not plain
    members.append(("mixed", {"run_id": "mixed", "rep": 7}, RunTable.of_frame(pd.DataFrame(
        {"date": ["2019-01-01"], "village": ["v"], "district": ["d"], "governorate": ["g"], "kind": ["k"],
         "count": [1.5]}))))
    members.append(("empty", {"run_id": "empty", "rep": 8}, RunTable.of_frame(pd.DataFrame(
        columns=["date", "village", "district", "governorate", "kind", "count"]))))
    members.append(("odd-id", {"run_id": "odd-id", "rep": None}, members[0][2]))
    members[3:3] = [(m[0], {"run_id": m[0], "rep": m[1]["rep"]}, m[2]) for m in members[:3]]  # other id columns
    members = [(f"{run_id}-{i}", {**ids, "run_id": f"{run_id}-{i}"}, t) for i, (run_id, ids, t) in enumerate(members)]
    rng = np.random.default_rng(3)
    plan_order = [members[i][0] for i in rng.permutation(len(members))]
    position = {run_id: i for i, run_id in enumerate(plan_order)}
    finish_order = [members[i] for i in rng.permutation(len(members))]
    pieces = group_frames(finish_order[:5]) + group_frames(finish_order[5:])  # two groups, as stored
    assert any(len(p.run_ids) > 1 for p in pieces)  # some runs really share a frame
    by_id = {run_id: (ids, t) for run_id, ids, t in members}
    expected = pd.concat([by_id[r][1].frame_with(by_id[r][0]) for r in plan_order], ignore_index=True)
    pd.testing.assert_frame_equal(in_plan_order(pieces, position), expected)
    # runs left out of the plan (a failed or removed run) leave their rows out
    del position[plan_order[0]]
    kept = pd.concat([by_id[r][1].frame_with(by_id[r][0]) for r in plan_order[1:]], ignore_index=True)
    pd.testing.assert_frame_equal(in_plan_order(pieces, {r: i for i, r in enumerate(plan_order[1:])}), kept)


def test_pieces_with_the_same_columns_are_joined_once_and_reordered() -> None:
    a = Piece(pd.DataFrame({"run_id": ["b", "b", "c"], "v": [1, 2, 3]}), ["b", "c"], [2, 1])
    b = Piece(pd.DataFrame({"run_id": ["a"], "v": [0]}), ["a"], [1])
    merged = in_plan_order([a, b], {"a": 0, "b": 1, "c": 2})
    assert list(merged["run_id"]) == ["a", "b", "b", "c"] and list(merged["v"]) == [0, 1, 2, 3]
    assert isinstance(merged.index, pd.RangeIndex)


@pytest.mark.parametrize("same_texts", [True, False])
def test_coded_text_of_several_runs_is_their_text_end_to_end(same_texts: bool) -> None:
    texts = ["x", "y", "z"]
    a = RunTable.of_columns({"place": CodedText(np.array([1, 0, 1]), texts), "n": np.arange(3)})
    b = RunTable.of_columns({"place": CodedText(np.array([0, 2]), list(texts) if same_texts else ["w", "v", "x"]),
                             "n": np.arange(2)})
    assert a is not None and b is not None and a.kinds == b.kinds == ("str", "int64")
    pieces = group_frames([("a", {"run_id": "a"}, a), ("b", {"run_id": "b"}, b)])
    assert len(pieces) == 1  # one frame for both runs
    merged = in_plan_order(pieces, {"a": 0, "b": 1})
    expected = pd.concat([a.frame_with({"run_id": "a"}), b.frame_with({"run_id": "b"})], ignore_index=True)
    pd.testing.assert_frame_equal(merged, expected)
    assert merged["place"].tolist() == (["y", "x", "y", "x", "z"] if same_texts else ["y", "x", "y", "w", "x"])


@pytest.mark.parametrize("months", [1, 6, 13, 40])
def test_column_totals_are_each_columns_nan_skipping_sum(months: int) -> None:
    rng = np.random.default_rng(months)
    values = rng.normal(size=(months, len(COUNTED_PER_MONTH))) * 10.0 ** rng.integers(-3, 9, len(COUNTED_PER_MONTH))
    values[rng.random(values.shape) < 0.2] = np.nan
    rows = [{"month": i + 1, **dict(zip(COUNTED_PER_MONTH, v.tolist(), strict=True))} for i, v in enumerate(values)]
    rows = [{**r, COUNTED_PER_MONTH[0]: i} for i, r in enumerate(rows)]  # a column of whole numbers (int64)
    table = monthly_rows(rows)
    assert table.kinds is not None and table.kinds[1] == "int64"
    totals = column_totals(table)
    for name in COUNTED_PER_MONTH:
        expected = np.nansum(np.asarray([r[name] for r in rows]))
        assert totals[name] == expected and type(totals[name]) is type(expected)


def test_monthly_rows_with_other_keys_are_kept_as_a_frame() -> None:
    rows = [{"month": 1, "a": 1.0}, {"month": 2, "b": 2.0}]
    table = monthly_rows(rows)
    assert table.frame is not None
    pd.testing.assert_frame_equal(table.frame, pd.DataFrame(rows))


def _freeze_count(spec: object) -> tuple[int, tuple[int, ...]]:
    return gc.get_freeze_count(), gc.get_threshold()


def test_a_worker_freezes_what_it_imported_before_its_first_run() -> None:
    spec = plan(["baseline"], reps=1, seed=1, sets={"months": 1})[0]
    counts = list(executors.local_pool(_freeze_count, [spec], 1, preload=("sim.model",)))
    assert counts[0][0] > 10_000  # the imported libraries' objects, at least
    assert counts[0][1] == executors.RUN_GC_THRESHOLD  # and young objects collected less often


def test_runs_in_this_process_freeze_it_meanwhile_and_unfreeze_it_after() -> None:
    before = gc.get_threshold()
    with executors.frozen_garbage():
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == executors.RUN_GC_THRESHOLD
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before


@pytest.mark.parametrize("stem", ["monthly", "villages", "incidents"])
def test_plain_groups_in_arrow_give_the_runs_frames_in_plan_order(finished: list, stem: str, tmp_path) -> None:
    """Plain groups are Arrow tables (with pyarrow): joined, reordered and written as parts, they are
    still each run's own table concatenated in plan order, type for type."""
    pytest.importorskip("pyarrow")
    from sim.batch.files import read_table, write_table

    members = [(f"{run_id}-{i}-{j}", {**ids, "run_id": f"{run_id}-{i}-{j}"}, run_tables(model)[stem])
               for i in range(3) for j, (run_id, ids, model) in enumerate(finished)]
    rng = np.random.default_rng(5)
    plan_order = [members[i][0] for i in rng.permutation(len(members))]
    finish_order = [members[i] for i in rng.permutation(len(members))]
    pieces = group_frames(finish_order[:4]) + group_frames(finish_order[4:])
    assert pieces and all(p.arrow is not None for p in pieces)
    by_id = {run_id: (ids, t) for run_id, ids, t in members}
    expected = pd.concat([by_id[r][1].frame_with(by_id[r][0]) for r in plan_order], ignore_index=True)
    merged = in_plan_order(pieces, {r: i for i, r in enumerate(plan_order)})
    pd.testing.assert_frame_equal(merged, expected)
    # a part written from Arrow reads back as the group's frame
    write_table(pieces[0].rows, tmp_path / "part.parquet")
    pd.testing.assert_frame_equal(read_table(tmp_path / "part.parquet"), pieces[0].frame)
    write_table(pieces[0].rows, tmp_path / "part.csv")  # a CSV part is the frame's CSV
    pieces[0].frame.to_csv(tmp_path / "frame.csv", index=False)
    assert (tmp_path / "part.csv").read_bytes() == (tmp_path / "frame.csv").read_bytes()
    # pieces of both kinds (a run read back from its part on resume is a DataFrame) merge alike
    mixed = [pieces[0], *(Piece(p.frame, p.run_ids, p.n_rows) for p in pieces[1:])]
    pd.testing.assert_frame_equal(in_plan_order(mixed, {r: i for i, r in enumerate(plan_order)}), expected)


@pytest.mark.parametrize("span_rows", [1, 10**9])  # spans always sliced / always gathered by index
@pytest.mark.parametrize("finish", ["in_chunks", "shuffled"])
def test_arrow_pieces_reordered_by_spans_or_by_index_alike(finished: list, span_rows: int, finish: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyarrow")
    from sim.batch import columns

    monkeypatch.setattr(columns, "SPAN_ROWS", span_rows)
    members = [(f"{run_id}-{i}-{j}", {**ids, "run_id": f"{run_id}-{i}-{j}"}, run_tables(model)["incidents"])
               for i in range(4) for j, (run_id, ids, model) in enumerate(finished)]
    plan_order = [m[0] for m in members]
    if finish == "in_chunks":  # two workers taking chunks of three runs: chunks swapped pairwise
        order = [k for c in range(0, len(members), 6) for k in [*range(c + 3, c + 6), *range(c, c + 3)]]
    else:
        order = list(np.random.default_rng(8).permutation(len(members)))
    finish_order = [members[k] for k in order]
    pieces = group_frames(finish_order[:7]) + group_frames(finish_order[7:])
    by_id = {run_id: (ids, t) for run_id, ids, t in members}
    for kept in (plan_order, plan_order[:4] + plan_order[5:]):  # every run; one left out (failed)
        expected = pd.concat([by_id[r][1].frame_with(by_id[r][0]) for r in kept], ignore_index=True)
        pd.testing.assert_frame_equal(in_plan_order(pieces, {r: i for i, r in enumerate(kept)}), expected)
