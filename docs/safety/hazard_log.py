"""The clinical risk management file's hazard log (DCB0129), kept as data in `hazards.toml`, checked, and turned into
the clinical safety case report `safety-case.md`:

    python docs/safety/hazard_log.py           # write safety-case.md from hazards.toml
    python docs/safety/hazard_log.py --check   # exit 1 if the log is inconsistent or the report out of step

`tests/test_safety_case.py` runs the same checks in the suite: a hazard that names a test that does not exist, or a
control with no test, fails the build."""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LOG = HERE / "hazards.toml"
REPORT = HERE / "safety-case.md"

SEVERITIES = ("Minor", "Significant", "Considerable", "Major", "Catastrophic")
LIKELIHOODS = ("Very low", "Low", "Medium", "High", "Very high")
MATRIX = {  # DCB0129's risk matrix: likelihood (rows) × severity (columns) → risk 1 (acceptable) to 5
    "Very high": (3, 4, 4, 5, 5),
    "High": (2, 3, 3, 4, 5),
    "Medium": (2, 2, 3, 3, 4),
    "Low": (1, 2, 2, 3, 4),
    "Very low": (1, 1, 2, 2, 3),
}
RISK_WORDS = {1: "Acceptable", 2: "Acceptable where further reduction is impractical", 3: "Undesirable",
              4: "Unacceptable", 5: "Unacceptable"}
ACCEPTABLE = 2
"""The highest residual risk that is acceptable without more."""
UNDESIRABLE = 3
"""Undesirable: released only with the clinical safety officer's written acceptance. Above it a hazard is open."""


@dataclass(frozen=True)
class Control:
    what: str
    tests: tuple[str, ...]


@dataclass(frozen=True)
class Hazard:
    id: str
    title: str
    description: str
    causes: tuple[str, ...]
    effect: str
    severity: str
    likelihood: str
    residual_severity: str
    residual_likelihood: str
    controls: tuple[Control, ...]
    found: str

    @property
    def risk(self) -> int:
        return risk(self.severity, self.likelihood)

    @property
    def residual_risk(self) -> int:
        return risk(self.residual_severity, self.residual_likelihood)

    @property
    def status(self) -> str:
        """Controlled (acceptable residual risk); controlled but undesirable, which the deploying trust's clinical
        safety officer must accept in writing; or open."""
        if not self.controls or self.residual_risk > UNDESIRABLE:
            return "Open"
        return "Controlled" if self.residual_risk <= ACCEPTABLE else "Controlled; residual risk for the CSO to accept"


def risk(severity: str, likelihood: str) -> int:
    return MATRIX[likelihood][SEVERITIES.index(severity)]


def load(path: Path = LOG) -> tuple[dict[str, str], list[Hazard]]:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    hazards = []
    for raw in document.get("hazard", []):
        controls = tuple(Control(c["what"], tuple(c.get("tests", ()))) for c in raw.get("control", []))
        hazards.append(Hazard(raw["id"], raw["title"], raw["description"], tuple(raw["causes"]), raw["effect"],
                              raw["severity"], raw["likelihood"], raw.get("residual_severity", raw["severity"]),
                              raw["residual_likelihood"], controls, raw.get("found", "")))
    return document.get("about", {}), hazards


def problems(hazards: list[Hazard], root: Path = ROOT) -> list[str]:
    """Everything wrong with the log, one line each: unknown grades, a residual risk above the initial one, a
    control with no test, a test that does not exist."""
    found = []
    seen: set[str] = set()
    for hazard in hazards:
        where = f"{hazard.id} ({hazard.title})"
        if hazard.id in seen:
            found.append(f"{where}: the id is used twice")
        seen.add(hazard.id)
        for grade, allowed in ((hazard.severity, SEVERITIES), (hazard.residual_severity, SEVERITIES),
                               (hazard.likelihood, LIKELIHOODS), (hazard.residual_likelihood, LIKELIHOODS)):
            if grade not in allowed:
                found.append(f"{where}: {grade!r} is not one of {', '.join(allowed)}")
        if not found and hazard.residual_risk > hazard.risk:
            found.append(f"{where}: the residual risk is higher than the initial risk")
        for number, control in enumerate(hazard.controls, 1):
            if not control.tests:
                found.append(f"{where}: control {number} ({control.what[:60]}) names no test")
            for test in control.tests:
                if problem := _missing(test, root):
                    found.append(f"{where}: control {number}: {problem}")
    return found


def _missing(test: str, root: Path) -> str:
    """'' if the test id (`tests/x.py::test_name`, a parametrised id allowed) names a test that exists."""
    path, _, name = test.partition("::")
    name = name.split("[", 1)[0]
    file = root / path
    if not file.is_file():
        return f"{test}: there is no file {path}"
    if not re.search(rf"^(async )?def {re.escape(name)}\(", file.read_text(encoding="utf-8"), re.M):
        return f"{test}: {path} has no test {name}"
    return ""


def report(about: dict[str, str], hazards: list[Hazard]) -> str:
    """The clinical safety case report, as Markdown."""
    lines = [f"# {about.get('title', 'Clinical safety case report')}", "",
             "<!-- Generated by docs/safety/hazard_log.py from hazards.toml: edit the log, then run it. -->", ""]
    lines += [about.get("summary", "").strip(), ""]
    open_ = [h for h in hazards if h.status == "Open"]
    to_accept = [h for h in hazards if h.status.startswith("Controlled;")]
    lines += ["## Summary", "",
              f"{len(hazards)} hazards: {len(hazards) - len(open_) - len(to_accept)} controlled to an acceptable "
              f"residual risk, {len(to_accept)} controlled with an undesirable residual risk for the clinical safety "
              f"officer to accept ({', '.join(h.id for h in to_accept) or 'none'}), {len(open_)} open"
              f" ({', '.join(h.id for h in open_) or 'none'}).", "",
              "| Id | Hazard | Initial risk | Residual risk | Status |", "|---|---|---|---|---|"]
    for h in hazards:
        lines.append(f"| {h.id} | {h.title} | {h.risk} ({h.severity}, {h.likelihood.lower()}) | {h.residual_risk} "
                     f"({h.residual_severity}, {h.residual_likelihood.lower()}) | {h.status} |")
    lines += ["", "## Risk matrix (DCB0129)", "", "| Likelihood \\ Severity | " + " | ".join(SEVERITIES) + " |",
              "|---|" + "---|" * len(SEVERITIES)]
    lines += [f"| {likelihood} | " + " | ".join(str(n) for n in MATRIX[likelihood]) + " |"
              for likelihood in reversed(LIKELIHOODS)]
    lines += ["", "Risk " + "; ".join(f"{n}: {words}" for n, words in RISK_WORDS.items()) + ".", "",
              "## Hazards", ""]
    for h in hazards:
        lines += [f"### {h.id}: {h.title}", "", h.description.strip(), ""]
        if h.found:
            lines += [f"*Found:* {h.found.strip()}", ""]
        lines += ["*Causes:*", ""] + [f"- {cause}" for cause in h.causes] + [""]
        lines += [f"*Effect on the patient:* {h.effect.strip()}", "",
                  f"*Initial risk:* {h.risk} — {RISK_WORDS[h.risk]} ({h.severity} × {h.likelihood.lower()})", ""]
        if h.controls:
            lines += ["*Controls, and the tests that are their evidence:*", ""]
            for control in h.controls:
                lines.append(f"- {control.what.strip()}")
                lines += [f"  - `{test}`" for test in control.tests]
            lines.append("")
        else:
            lines += ["*Controls:* none yet.", ""]
        lines += [f"*Residual risk:* {h.residual_risk} — {RISK_WORDS[h.residual_risk]} "
                  f"({h.residual_severity} × {h.residual_likelihood.lower()}); **{h.status}**", ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    about, hazards = load()
    found = problems(hazards)
    for line in found:
        print(line, file=sys.stderr)
    if found:
        return 1
    text = report(about, hazards)
    if "--check" in argv:
        if not REPORT.exists() or REPORT.read_text(encoding="utf-8") != text:
            print(f"{REPORT.relative_to(ROOT)} is out of step with the log: run python docs/safety/hazard_log.py",
                  file=sys.stderr)
            return 1
        return 0
    REPORT.write_text(text, encoding="utf-8")
    print(f"{REPORT.relative_to(ROOT)}: {len(hazards)} hazards, "
          f"{sum(h.status == 'Open' for h in hazards)} open")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
