#!/usr/bin/env python3
"""Helper of bench/scan-vs-guarddog: prepares both artifact sets, runs each scanner, reports.

Subcommands (the bash entry point calls them in this order):
  benign    download wheels and sdists of the top N requirement lines (cached, no code run)
  malware   decrypt the malware samples into a folder the caller deletes (never extracted)
  list      print what would be scanned (used when cordon has no `scan` yet)
  cordon    run `cordon scan` on each set in chunks, time the whole set, then each artifact alone
  guarddog  run `guarddog pypi scan` once per artifact, in parallel, with a timeout each
  report    print the comparison and write the results JSON

Nothing here installs, imports or builds a downloaded or decrypted artifact. Sdists are fetched
from the index's PEP 691 JSON API (pip's own `pip download` would build sdist metadata, which
runs the package's setup.py); wheels come from `pip download --only-binary :all:`.
Only the Python standard library and pip's own vendored `packaging` are used.
"""

import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import re
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import zipfile

from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import (
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from pip._vendor.packaging.version import InvalidVersion, Version

MALWARE_PASSWORD = b"infected"
CORDON_CHUNK = 200  # paths per `cordon scan` invocation (argv limits)
VERDICTS = ("clean", "suspicious", "malicious")
FLAGGED = ("suspicious", "malicious")


def die(msg):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(2)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# Children started from worker threads run in their own process group (so a timeout kills the
# whole tree); they are tracked here so an interrupt or SIGTERM kills them all before exiting.
_LOCK = threading.Lock()
_ACTIVE = set()
_STOP = threading.Event()


def run_child(argv, timeout=None, env=None):
    """Run argv in its own process group; returns (returncode|None on timeout, stdout, stderr)."""
    with _LOCK:
        if _STOP.is_set():
            raise KeyboardInterrupt
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True, env=env)
        _ACTIVE.add(p)
    try:
        try:
            out, err = p.communicate(timeout=timeout)
            return p.returncode, out, err
        except subprocess.TimeoutExpired:
            kill_group(p)
            out, err = p.communicate()
            return None, out, err
    finally:
        with _LOCK:
            _ACTIVE.discard(p)


def kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop_all():
    with _LOCK:
        _STOP.set()
        for p in list(_ACTIVE):
            kill_group(p)


def pool_map(fn, items, workers):
    """ThreadPoolExecutor.map that, when interrupted, cancels what has not started."""
    ex = cf.ThreadPoolExecutor(max_workers=workers)
    try:
        return list(ex.map(fn, items))
    finally:
        ex.shutdown(wait=not _STOP.is_set(), cancel_futures=True)


def write_json(path, data):
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def family(name):
    """Crude campaign/family key, as the dataset's selection used: first 4 letters."""
    return canonicalize_name(name)[:4]


# ---------------------------------------------------------------------------------------------
# benign: downloads


def pip_config():
    """index-url and cert from pip's own configuration (env, files); None when not set."""
    conf = {}
    out = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True
    ).stdout
    for line in out.splitlines():
        m = re.match(r"^([^=]+)=(.*)$", line.strip())
        if not m:
            continue
        key, val = m.group(1), m.group(2).strip().strip("'\"")
        short = key.rsplit(".", 1)[-1]
        # precedence: environment, then the [download] section, then [global]
        rank = 3 if key.startswith(":env:") else 2 if key.startswith("download.") else 1
        if short in ("index-url", "cert") and rank >= conf.get(short, (0, None))[0]:
            conf[short] = (rank, val)
    index = conf.get("index-url", (0, None))[1]
    if not index:
        from pip._internal.models.index import PyPI  # pip's default index, no host literal here

        index = PyPI.simple_url
    return index.rstrip("/") + "/", conf.get("cert", (0, None))[1]


class Index:
    def __init__(self):
        self.url, cert = pip_config()
        self.ctx = ssl.create_default_context(cafile=cert) if cert else None

    def project(self, name):
        url = urllib.parse.urljoin(self.url, canonicalize_name(name) + "/")
        req = urllib.request.Request(
            url, headers={"Accept": "application/vnd.pypi.simple.v1+json",
                          # as pip does: a CDN copy of the page can lag behind by weeks
                          "Cache-Control": "max-age=0"}
        )
        with urllib.request.urlopen(req, timeout=120, context=self.ctx) as r:
            ctype = r.headers.get("Content-Type", "")
            if "json" not in ctype:
                raise RuntimeError(f"index {self.url} does not serve PEP 691 JSON ({ctype})")
            return url, json.load(r)

    def fetch(self, url, dest, sha256):
        h = hashlib.sha256()
        tmp = dest + ".part"
        with urllib.request.urlopen(url, timeout=300, context=self.ctx) as r, open(tmp, "wb") as f:
            while chunk := r.read(1 << 20):
                h.update(chunk)
                f.write(chunk)
        if sha256 and h.hexdigest() != sha256:
            os.unlink(tmp)
            raise RuntimeError(f"sha256 mismatch for {os.path.basename(dest)}")
        os.replace(tmp, dest)


def read_specs(path, top):
    specs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                specs.append(line)
    return specs[:top]


def spec_key(req):
    pins = [s.version for s in req.specifier if s.operator in ("==", "===")]
    return canonicalize_name(req.name) + (f"=={pins[0]}" if pins else "")


def pip_wheel(spec, dest):
    """`pip download` of one wheel; returns (filename|None, error|None, definitive)."""
    tmp = tempfile.mkdtemp(dir=dest)
    try:
        rc, _, stderr = run_child(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps",
             "--only-binary", ":all:", "-d", tmp, spec])
        files = [f for f in os.listdir(tmp) if f.endswith(".whl")]
        if rc == 0 and len(files) == 1:
            os.replace(os.path.join(tmp, files[0]), os.path.join(dest, files[0]))
            return files[0], None, True
        err = (stderr.strip().splitlines() or ["pip download failed"])[-1]
        return None, err, "No matching distribution" in stderr
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def pick_sdist(files, req, version):
    """The non-yanked sdist of `version`; else the newest stable one at or below it (a wheel-only
    post-release, say); without a wheel, the newest stable one the spec allows."""
    cands = []
    for f in files:
        fn = f["filename"]
        if f.get("yanked") or not (fn.endswith(".tar.gz") or fn.endswith(".zip")):
            continue
        try:
            _, v = parse_sdist_filename(fn)
        except Exception:
            continue
        if v.is_prerelease and v != version:
            continue
        if version is not None and v > version:
            continue
        if version is None and not req.specifier.contains(v):
            continue
        cands.append((v == version, v, fn.endswith(".tar.gz"), f))
    if not cands:
        return None
    cands.sort(key=lambda c: c[:3])
    return cands[-1][3]


def fetch_one(spec, cache, index):
    """Both artifacts of one requirement line, cached under cache/<key>/ with a meta.json."""
    req = Requirement(spec)
    key = spec_key(req)
    d = os.path.join(cache, key)
    meta_path = os.path.join(d, "meta.json")
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            return json.load(f)
    os.makedirs(d, exist_ok=True)
    meta = {"spec": spec, "name": canonicalize_name(req.name), "wheel": None,
            "wheel_version": None, "sdist": None, "sdist_version": None, "errors": []}
    sticky = True  # write meta.json only when nothing failed transiently

    wheel, err, definitive = pip_wheel(spec, d)
    version = None
    if wheel:
        meta["wheel"] = wheel
        version = parse_wheel_filename(wheel)[1]
        meta["wheel_version"] = str(version)
    else:
        meta["errors"].append(f"wheel: {err}")
        sticky &= definitive
    try:
        page, data = index.project(req.name)
        f = pick_sdist(data.get("files", []), req, version)
        if f is None:
            meta["errors"].append(f"sdist: none at or below {version or spec}")
        else:
            fn = os.path.basename(f["filename"])
            index.fetch(urllib.parse.urljoin(page, f["url"]), os.path.join(d, fn),
                        f.get("hashes", {}).get("sha256"))
            meta["sdist"] = fn
            meta["sdist_version"] = str(parse_sdist_filename(fn)[1])
            if version is not None and meta["sdist_version"] != str(version):
                meta["errors"].append(f"sdist: none for {version}, took {fn}")
    except Exception as e:  # network trouble: reported, retried next run
        meta["errors"].append(f"sdist: {e}")
        sticky = False
    if sticky:
        write_json(meta_path, meta)
    return meta


def cmd_benign(a):
    specs = read_specs(a.data, a.top)
    os.makedirs(a.cache, exist_ok=True)
    index = Index()
    log(f"benign: {len(specs)} requirement lines, cache {a.cache}")
    t0 = time.perf_counter()
    metas = pool_map(lambda s: fetch_one(s, a.cache, index), specs, a.jobs)
    arts, problems = [], []
    for rank, (spec, m) in enumerate(zip(specs, metas), 1):
        key = spec_key(Requirement(spec))
        for kind in ("wheel", "sdist"):
            if m[kind]:
                path = os.path.join(a.cache, key, m[kind])
                arts.append({"set": "benign", "name": m["name"], "version": m[f"{kind}_version"],
                             "kind": kind, "rank": rank, "path": os.path.abspath(path),
                             "size": os.path.getsize(path)})
        for e in m["errors"]:
            problems.append(f"{spec}: {e}")
    for p in problems:
        log(f"  note: {p}")
    log(f"benign: {len(arts)} artifacts ({sum(x['kind'] == 'wheel' for x in arts)} wheels, "
        f"{sum(x['kind'] == 'sdist' for x in arts)} sdists) from {len(specs)} lines "
        f"in {time.perf_counter() - t0:.1f} s")
    write_json(a.out, {"requested": len(specs), "artifacts": arts, "problems": problems})


# ---------------------------------------------------------------------------------------------
# malware: decryption (to a folder the bash side created with mktemp -d and deletes at exit)


def cmd_malware(a):
    with open(os.path.join(a.dir, "manifest.jsonl")) as f:
        manifest = [json.loads(line) for line in f if line.strip()]
    if a.quick:
        manifest = manifest[: a.quick]
    arts = []
    for r in manifest:
        with zipfile.ZipFile(os.path.join(a.dir, r["zip"])) as z:
            members = z.namelist()
            if len(members) != 1:
                die(f"{r['zip']}: expected one member, found {len(members)}")
            data = z.read(members[0], pwd=MALWARE_PASSWORD)
        if hashlib.sha256(data).hexdigest() != r["artifact_sha256"]:
            die(f"{r['zip']}: sha256 of the decrypted artifact differs from the manifest")
        name = os.path.basename(r["artifact"])
        path = os.path.join(a.dest, name)
        if os.path.exists(path):
            die(f"two samples share the file name {name}")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        arts.append({"set": "malware", "name": r["name"], "version": r["version"],
                     "kind": r["artifact_format"], "path": os.path.abspath(path),
                     "size": len(data), "family": family(r["name"]),
                     "format_mismatch": r.get("format_mismatch", False)})
    log(f"malware: {len(arts)} samples decrypted into {a.dest} (mode 0400; "
        f"{sum(x['format_mismatch'] for x in arts)} wheels named .tar.gz)")
    write_json(a.out, {"artifacts": arts})


def load_sets(benign, malware):
    with open(benign) as f:
        b = json.load(f)
    with open(malware) as f:
        m = json.load(f)
    return b, m


def cmd_list(a):
    b, m = load_sets(a.benign, a.malware)
    for arts in (b["artifacts"], m["artifacts"]):
        for x in arts:
            print(f"  {x['set']:7} {x['kind']:6} {x['size']:>10}  {os.path.basename(x['path'])}")
    tot = sum(x["size"] for x in b["artifacts"] + m["artifacts"])
    print(f"would scan {len(b['artifacts'])} benign artifacts ({b['requested']} requirement "
          f"lines) and {len(m['artifacts'])} malware samples, {tot / 1e6:.1f} MB in all")


# ---------------------------------------------------------------------------------------------
# cordon


def cordon_invoke(binary, paths):
    p = subprocess.run([binary, "scan", *paths, "--format", "json", "--no-progress"],
                       capture_output=True, text=True)
    doc = None
    if p.returncode in (0, 1):
        try:
            doc = json.loads(p.stdout)
        except ValueError:
            doc = None
    return p, doc


def cordon_record(a):
    verdict = a.get("verdict")
    findings = a.get("findings") or []
    rules = []
    for f in findings:
        if isinstance(f, dict):
            r = f.get("id") or f.get("rule")
            if r and r not in rules:
                rules.append(str(r))
    return {"verdict": verdict if verdict in VERDICTS else "error",
            "score": a.get("score"), "findings": len(findings), "rules": rules[:12],
            "reasons": (a.get("reasons") or [])[:3]}


def cmd_cordon(a):
    b, m = load_sets(a.benign, a.malware)
    out = {"tool": "cordon", "binary": a.bin, "runs": a.runs, "sets": {}}
    for set_name, arts in (("benign", b["artifacts"]), ("malware", m["artifacts"])):
        paths = [x["path"] for x in arts]
        chunks = [paths[i:i + CORDON_CHUNK] for i in range(0, len(paths), CORDON_CHUNK)]
        results, errors, walls = {}, [], []
        for run in range(a.runs):
            t0 = time.perf_counter()
            docs = [cordon_invoke(a.bin, c) for c in chunks]
            walls.append(time.perf_counter() - t0)
            if run:
                continue
            for chunk, (p, doc) in zip(chunks, docs):
                if doc is None:
                    errors.append(f"exit {p.returncode} on a chunk of {len(chunk)}: "
                                  f"{p.stderr.strip()[-300:]}")
                    continue
                for art in doc.get("artifacts", []):
                    key = art.get("path") or ""
                    results[key if key in chunk else os.path.abspath(key)] = cordon_record(art)
        # Each artifact alone: per-artifact time, and a verdict for any the batch did not give.
        single, per_art = {}, []
        for path in paths:
            t0 = time.perf_counter()
            p, doc = cordon_invoke(a.bin, [path])
            per_art.append(time.perf_counter() - t0)
            arts_out = (doc or {}).get("artifacts") or []
            if doc is None or len(arts_out) != 1:
                single[path] = {"verdict": "error", "error": f"exit {p.returncode}: "
                                f"{p.stderr.strip()[-300:]}"}
            else:
                single[path] = cordon_record(arts_out[0])
        final, mismatches = {}, []
        for path, t in zip(paths, per_art):
            r = results.get(path)
            if r is None:
                r = dict(single[path], note="batch gave no result; single run used")
            elif single[path]["verdict"] != r["verdict"]:
                mismatches.append(f"{os.path.basename(path)}: batch {r['verdict']}, "
                                  f"alone {single[path]['verdict']}")
            r["time_alone"] = t
            final[path] = r
        out["sets"][set_name] = {
            "wall": statistics.median(walls), "walls": walls,
            "median_per_artifact": statistics.median(per_art) if per_art else None,
            "invocations": len(chunks), "errors": errors, "batch_vs_alone_mismatches": mismatches,
            "results": final,
        }
        log(f"cordon: {set_name}: {len(paths)} artifacts, whole set "
            f"{statistics.median(walls):.3f} s (median of {a.runs}), "
            f"{len(errors)} invocation errors")
    write_json(a.out, out)


# ---------------------------------------------------------------------------------------------
# guarddog

# GuardDog 3.x risk engine (guarddog/analyzer/risk_engine.py, 3.2.0): score 0-10 and a label:
#   score == 0 -> "no_risks_detected", < 5 -> "low", < 7 -> "suspicious", >= 7 -> "high_risk".
# DataDog's recommended detection threshold is 5.0 (evals/README.md, PR #713), and the research
# (shared/research/B-malware-detection.md §1.7 d) counted a package as flagged at score >= 5.
# Mapping onto cordon's verdicts:
#   high_risk -> malicious, suspicious -> suspicious, low / no_risks_detected -> clean.
GD_LABELS = {"high_risk": "malicious", "suspicious": "suspicious",
             "low": "clean", "no_risks_detected": "clean"}


def gd_verdict(score, label):
    if label in GD_LABELS:
        return GD_LABELS[label]
    if score is None:
        return "error"
    return "malicious" if score >= 7 else "suspicious" if score >= 5 else "clean"


def guarddog_one(binary, path, timeout, env):
    t0 = time.perf_counter()
    rc, stdout, stderr = run_child([binary, "pypi", "scan", path, "--output-format", "json"],
                                   timeout=timeout, env=env)
    if rc is None:
        return {"verdict": "timeout", "time": time.perf_counter() - t0}
    t = time.perf_counter() - t0
    try:
        doc = json.loads(stdout)
    except ValueError:
        lines = [ln for ln in stderr.splitlines()
                 if "Network error" not in ln and "Failed to download new cache" not in ln]
        return {"verdict": "error", "time": t,
                "error": f"exit {rc}: {' | '.join(lines)[-300:]}"}
    rs = doc.get("risk_score") or {}
    score, label = rs.get("score"), rs.get("label")
    rules = sorted((k for k, v in (doc.get("results") or {}).items() if v),
                   key=lambda k: (not k.startswith("threat"), k))  # threats first
    rec = {"verdict": gd_verdict(score, label), "score": score, "label": label,
           "rules": rules, "time": t}
    if doc.get("errors"):
        rec["errors"] = doc["errors"]
    return rec


def cmd_guarddog(a):
    b, m = load_sets(a.benign, a.malware)
    env = dict(os.environ, TMPDIR=a.tmp)  # GuardDog extracts archives under the work dir
    out = {"tool": "guarddog", "binary": a.bin, "version": a.version, "jobs": a.jobs,
           "timeout": a.timeout, "sets": {}}
    for set_name, arts in (("benign", b["artifacts"]), ("malware", m["artifacts"])):
        paths = [x["path"] for x in arts]
        done = 0

        def one(path):
            nonlocal done
            r = guarddog_one(a.bin, path, a.timeout, env)
            done += 1
            if done % 25 == 0 or done == len(paths):
                log(f"guarddog: {set_name}: {done}/{len(paths)}")
            return r

        t0 = time.perf_counter()
        recs = pool_map(one, paths, a.jobs)
        wall = time.perf_counter() - t0
        times = [r["time"] for r in recs]
        out["sets"][set_name] = {
            "wall": wall, "median_per_artifact": statistics.median(times) if times else None,
            "results": dict(zip(paths, recs)),
        }
        log(f"guarddog: {set_name}: {len(paths)} artifacts, whole set {wall:.1f} s "
            f"({a.jobs} parallel), median {statistics.median(times) if times else 0:.2f} s each")
    recs = [r for st in out["sets"].values() for r in st["results"].values()]
    if recs and all(r["verdict"] == "error" for r in recs):
        die(f"GuardDog failed on every artifact, for example: {recs[0].get('error')}")
    write_json(a.out, out)


# ---------------------------------------------------------------------------------------------
# report


def pct(n, d):
    return f"{100.0 * n / d:.1f}%" if d else "-"


def summarize(tool, b_arts, m_arts):
    """Counts for one tool's results (a dict from cmd_cordon / cmd_guarddog)."""
    s = {}
    mres = tool["sets"]["malware"]["results"]
    bres = tool["sets"]["benign"]["results"]
    mv = [mres[x["path"]]["verdict"] for x in m_arts]
    bv = [bres[x["path"]]["verdict"] for x in b_arts]
    s["malware_n"] = len(mv)
    s["detected"] = sum(v in FLAGGED for v in mv)
    s["detected_malicious"] = sum(v == "malicious" for v in mv)
    s["malware_timeouts"] = mv.count("timeout")
    s["malware_errors"] = mv.count("error")
    s["benign_n"] = len(bv)
    s["benign_malicious"] = bv.count("malicious")
    s["benign_flagged"] = sum(v in FLAGGED for v in bv)
    s["benign_timeouts"] = bv.count("timeout")
    s["benign_errors"] = bv.count("error")
    pk = {}
    for x, v in zip(b_arts, bv):
        pk.setdefault(x["name"], set()).add(v)
    s["benign_packages"] = len(pk)
    s["benign_packages_malicious"] = sum("malicious" in vs for vs in pk.values())
    s["benign_packages_flagged"] = sum(bool(vs & set(FLAGGED)) for vs in pk.values())
    s["wall_benign"] = tool["sets"]["benign"]["wall"]
    s["wall_malware"] = tool["sets"]["malware"]["wall"]
    s["wall_total"] = s["wall_benign"] + s["wall_malware"]
    per = [r.get("time_alone", r.get("time")) for st in ("benign", "malware")
           for r in tool["sets"][st]["results"].values()]
    per = [t for t in per if t is not None]
    s["median_per_artifact"] = statistics.median(per) if per else None
    s["missed"] = [x for x, v in zip(m_arts, mv) if v not in FLAGGED]
    s["flagged"] = [(x, bres[x["path"]]) for x, v in zip(b_arts, bv) if v in FLAGGED]
    return s


def fmt_time(t):
    if t is None:
        return "-"
    return f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"


def cmd_report(a):
    b, m = load_sets(a.benign, a.malware)
    b_arts, m_arts = b["artifacts"], m["artifacts"]
    tools = {}
    for label, path in (("cordon", a.cordon), ("guarddog", a.guarddog)):
        if path and os.path.exists(path):
            with open(path) as f:
                tools[label] = json.load(f)
    sums = {k: summarize(v, b_arts, m_arts) for k, v in tools.items()}
    names = {"cordon": "cordon", "guarddog": f"GuardDog {tools.get('guarddog', {}).get('version', '')}"}

    print()
    print(f"sets: {len(b_arts)} benign artifacts from {b['requested']} requirement lines "
          f"({len({x['name'] for x in b_arts})} packages), {len(m_arts)} malware samples")
    if "guarddog" in tools:
        g = tools["guarddog"]
        print(f"GuardDog: one process per artifact, {g['jobs']} in parallel on {os.cpu_count()} "
              f"CPUs, {g['timeout']} s timeout each; verdict: high_risk -> malicious, "
              f"suspicious (score 5-7) -> suspicious, low/none -> clean")
    if "cordon" in tools:
        print(f"cordon: `cordon scan` over each whole set in chunks of {CORDON_CHUNK} paths; "
              f"wall time = median of {tools['cordon']['runs']} runs")
    rows = [
        ("artifacts scanned (benign + malware)",
         lambda s: f"{s['benign_n']} + {s['malware_n']}"),
        ("malware detected (suspicious or worse)",
         lambda s: f"{s['detected']}/{s['malware_n']} ({pct(s['detected'], s['malware_n'])})"),
        ("malware judged malicious",
         lambda s: f"{s['detected_malicious']}/{s['malware_n']} "
                   f"({pct(s['detected_malicious'], s['malware_n'])})"),
        ("malware timeouts / errors (= missed)",
         lambda s: f"{s['malware_timeouts']} / {s['malware_errors']}"),
        ("benign artifacts judged malicious",
         lambda s: f"{s['benign_malicious']} ({pct(s['benign_malicious'], s['benign_n'])})"),
        ("benign artifacts suspicious or worse",
         lambda s: f"{s['benign_flagged']} ({pct(s['benign_flagged'], s['benign_n'])})"),
        ("benign packages malicious / flagged",
         lambda s: f"{s['benign_packages_malicious']} / {s['benign_packages_flagged']} "
                   f"of {s['benign_packages']}"),
        ("benign timeouts / errors (= clean)",
         lambda s: f"{s['benign_timeouts']} / {s['benign_errors']}"),
        ("wall time, benign set", lambda s: fmt_time(s["wall_benign"])),
        ("wall time, malware set", lambda s: fmt_time(s["wall_malware"])),
        ("wall time, total", lambda s: fmt_time(s["wall_total"])),
        ("median per artifact (one process each)", lambda s: fmt_time(s["median_per_artifact"])),
    ]
    cols = list(sums)
    w0 = max(len(r[0]) for r in rows) + 2
    print()
    print("".ljust(w0) + "".join(names[c].ljust(26) for c in cols))
    for title, f in rows:
        print(title.ljust(w0) + "".join(f(sums[c]).ljust(26) for c in cols))
    ratio = None
    if len(sums) == 2:
        c, g = sums["cordon"], sums["guarddog"]
        ratio = g["wall_total"] / c["wall_total"] if c["wall_total"] else None
        per = (g["median_per_artifact"] / c["median_per_artifact"]
               if c["median_per_artifact"] else None)
        print()
        print(f"speed ratio GuardDog/cordon, whole sets: {ratio:.1f}x"
              + (f"   (medians per artifact: {per:.1f}x)" if per else ""))

    for c in cols:
        s = sums[c]
        print()
        print(f"{names[c]}: missed malware ({len(s['missed'])})")
        fams = {}
        for x in s["missed"]:
            fams.setdefault(x["family"], []).append(x)
        for fam, xs in sorted(fams.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            res = tools[c]["sets"]["malware"]["results"]
            items = ", ".join(f"{x['name']} {x['version']}"
                              + (f" [{res[x['path']]['verdict']}]"
                                 if res[x["path"]]["verdict"] in ("timeout", "error") else "")
                              for x in xs)
            print(f"  {fam}* ({len(xs)}): {items}")
        print(f"{names[c]}: benign artifacts flagged ({len(s['flagged'])})")
        for x, r in s["flagged"]:
            extra = f" score {r.get('score')}" if r.get("score") is not None else ""
            rules = ", ".join(r.get("rules", [])[:6])
            print(f"  {r['verdict']:10} {os.path.basename(x['path'])}{extra}"
                  + (f" ({rules})" if rules else ""))
        for st in ("benign", "malware"):
            for e in tools[c]["sets"][st].get("errors", []):
                print(f"  {st} invocation error: {e}")
            mm = tools[c]["sets"][st].get("batch_vs_alone_mismatches", [])
            if mm:
                print(f"  {st}: {len(mm)} verdicts differ between batch and single runs: "
                      + "; ".join(mm[:10]))

    goals = None
    if "cordon" in sums:
        s = sums["cordon"]
        goals = {
            "detection >= 95% of dev samples":
                s["malware_n"] > 0 and s["detected"] >= 0.95 * s["malware_n"],
            "no benign package judged malicious": s["benign_packages_malicious"] == 0,
            "benign suspicious or worse <= 2% (artifacts)":
                s["benign_flagged"] <= 0.02 * s["benign_n"],
            "cordon >= 50x faster than GuardDog": ratio is not None and ratio >= 50,
        }
        print()
        print("goals (cordon):")
        for k, ok in goals.items():
            na = k.startswith("cordon >=") and ratio is None
            print(f"  {'n/a ' if na else 'PASS' if ok else 'FAIL'}  {k}")

    result = {
        "benign_requested": b["requested"], "benign_problems": b["problems"],
        "artifacts": b_arts + m_arts, "tools": tools,
        "summary": {k: {kk: vv for kk, vv in v.items() if kk not in ("missed", "flagged")}
                    for k, v in sums.items()},
        "speed_ratio_guarddog_over_cordon": ratio, "goals": goals,
    }
    write_json(a.json, result)
    print()
    print(f"results: {a.json}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("benign")
    p.add_argument("--data", required=True)
    p.add_argument("--top", type=int, default=100)
    p.add_argument("--cache", required=True)
    p.add_argument("--jobs", type=int, default=4)
    p.add_argument("--out", required=True)
    p = sub.add_parser("malware")
    p.add_argument("--dir", required=True)
    p.add_argument("--quick", type=int, default=0)
    p.add_argument("--dest", required=True)
    p.add_argument("--out", required=True)
    for name in ("list", "cordon", "guarddog", "report"):
        p = sub.add_parser(name)
        p.add_argument("--benign", required=True)
        p.add_argument("--malware", required=True)
        if name == "cordon":
            p.add_argument("--bin", required=True)
            p.add_argument("--runs", type=int, default=3)
            p.add_argument("--out", required=True)
        if name == "guarddog":
            p.add_argument("--bin", required=True)
            p.add_argument("--version", required=True)
            p.add_argument("--jobs", type=int, default=2)
            p.add_argument("--timeout", type=float, default=120)
            p.add_argument("--tmp", required=True)
            p.add_argument("--out", required=True)
        if name == "report":
            p.add_argument("--cordon")
            p.add_argument("--guarddog")
            p.add_argument("--json", required=True)
    a = ap.parse_args()

    def on_term(signum, frame):
        _STOP.set()  # before unwinding, so pool_map does not wait for running children
        try:
            for p in list(_ACTIVE):
                kill_group(p)
        except RuntimeError:  # the set changed under us; stop_all() below catches up
            pass
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)  # the bash side runs us in the background
    try:
        {"benign": cmd_benign, "malware": cmd_malware, "list": cmd_list, "cordon": cmd_cordon,
         "guarddog": cmd_guarddog, "report": cmd_report}[a.cmd](a)
    except KeyboardInterrupt:
        stop_all()
        log(f"bench: {a.cmd}: interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
