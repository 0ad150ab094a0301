"""`haven match solve INSTANCE.json`, run as a person would: the real command line."""

import copy
import json
import subprocess
import sys

from tests.matching.engine.test_loader import VALID


def haven(*args, cwd):
    return subprocess.run([sys.executable, "-m", "haven", *args], capture_output=True, text=True, cwd=cwd, check=False)


def test_the_command_writes_the_plan_the_bound_and_a_checkable_certificate(tmp_path):
    instance = tmp_path / "instance.json"
    instance.write_text(json.dumps(VALID))
    out = tmp_path / "plan.json"
    result = haven("match", "solve", str(instance), "--out", str(out), "--time-limit", "20", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    plan = json.loads(out.read_text())
    assert plan["bound"] >= plan["objective"] > 0
    assert {a["need"] for a in plan["plan"]} <= {n["id"] for n in VALID["needs"]}
    assert "boys" in plan["flagged_for_coordinator"]
    assert "boys" not in {a["need"] for a in plan["plan"]}
    assert plan["certificate"]["lagrangian_bound"] >= plan["objective"] - 1e-9


def test_a_malformed_instance_gets_a_message_naming_the_field_not_a_traceback(tmp_path):
    bad = copy.deepcopy(VALID)
    bad["needs"][1]["party"]["adults"] = -1
    instance = tmp_path / "bad.json"
    instance.write_text(json.dumps(bad))
    result = haven("match", "solve", str(instance), cwd=tmp_path)
    assert result.returncode != 0
    assert "needs[1].party.adults" in result.stderr
    assert "Traceback" not in result.stderr
