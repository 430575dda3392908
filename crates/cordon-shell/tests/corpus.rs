//! The command-line corpus: real-world-shaped commands (CI `run:` blocks, GitLab `script:`
//! lines, Dockerfile `RUN` lines, README snippets, AI-agent commands) with what each installs.
//!
//! Each entry is a command and the expected analysis, one line per finding in the order
//! intents, remote scripts, unparsed text:
//!
//! - intent: `INSTALLER ACTION` then, when present: packages (`name<spec>` for a requirement by
//!   name, `url:`/`vcs:`/`path:`/`?:` + the argument otherwise, `-e ` before an editable one),
//!   `-r FILE`, `-c FILE`, `KIND=SOURCE` per package source, `--no-index`, `--locked`,
//!   `--frozen`, `--require-hashes`, `--no-deps`, `--no-build`, `--only-binary=V`,
//!   `--exclude-newer=V`, `--upgrade`, `--dry-run`, `env:NAME=VALUE`, `(dynamic)`;
//! - remote script: `remote INTERPRETER URL`;
//! - unparsed: `unparsed REASON`, or `unparsed! REASON` when the text mentions an installer.
//!
//! The benchmark (`bench/shell-parse`) runs over the same table; see `corpus_benchmark`.

use std::time::{Duration, Instant};

use cordon_shell::{Analysis, InstallIntent, PackageKind, analyze};

fn render_intent(i: &InstallIntent) -> String {
    let mut out = vec![format!("{} {}", i.installer.as_str(), i.action.as_str())];
    for p in &i.packages {
        let body = match p.kind {
            PackageKind::Name => format!(
                "{}{}",
                p.name.as_deref().unwrap_or("?"),
                p.spec.as_deref().unwrap_or("")
            ),
            PackageKind::Url => format!("url:{}", p.arg.text),
            PackageKind::Vcs => format!("vcs:{}", p.arg.text),
            PackageKind::Path => format!("path:{}", p.arg.text),
            PackageKind::Unknown => format!("?:{}", p.arg.text),
        };
        out.push(if p.editable {
            format!("-e {body}")
        } else {
            body
        });
    }
    out.extend(i.requirement_files.iter().map(|f| format!("-r {}", f.text)));
    out.extend(i.constraint_files.iter().map(|f| format!("-c {}", f.text)));
    out.extend(
        i.indexes
            .iter()
            .map(|x| format!("{}={}", x.kind.as_str(), x.value.text)),
    );
    let flags = [
        (i.no_index, "--no-index"),
        (i.locked, "--locked"),
        (i.frozen, "--frozen"),
        (i.require_hashes, "--require-hashes"),
        (i.no_deps, "--no-deps"),
        (i.no_build, "--no-build"),
    ];
    out.extend(
        flags
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, f)| (*f).to_owned()),
    );
    out.extend(
        i.only_binary
            .iter()
            .map(|v| format!("--only-binary={}", v.text)),
    );
    if let Some(v) = &i.exclude_newer {
        out.push(format!("--exclude-newer={}", v.text));
    }
    if i.upgrade {
        out.push("--upgrade".to_owned());
    }
    if i.dry_run {
        out.push("--dry-run".to_owned());
    }
    out.extend(i.env.iter().map(|v| format!("env:{}={}", v.name, v.value)));
    if i.dynamic {
        out.push("(dynamic)".to_owned());
    }
    out.join(" ")
}

fn render(a: &Analysis) -> Vec<String> {
    let mut lines: Vec<String> = a.intents.iter().map(render_intent).collect();
    for r in &a.remote_scripts {
        let url = r.url.as_ref().map_or("-", |u| u.text.as_str());
        lines.push(format!("remote {} {url}", r.interpreter));
    }
    for u in &a.unparsed {
        let bang = if u.mentions_installer { "!" } else { "" };
        lines.push(format!("unparsed{bang} {}", u.reason));
    }
    lines
}

type Entry = (&'static str, &'static [&'static str]);

#[rustfmt::skip]
const CORPUS: &[Entry] = &[
    // ---- pip: the forms, option grammar (prefixes, clusters, global options) --------------
    ("pip install requests", &["pip install requests"]),
    ("pip install requests==2.32.3", &["pip install requests==2.32.3"]),
    ("pip3 install -r requirements.txt", &["pip install -r requirements.txt"]),
    ("pip install --require-hashes -r requirements.lock", &["pip install -r requirements.lock --require-hashes"]),
    ("python -m pip install --upgrade pip", &["pip install pip --upgrade"]),
    ("python3 -m pip install -U pip setuptools wheel", &["pip install pip setuptools wheel --upgrade"]),
    ("py -m pip install flask", &["pip install flask"]),
    ("py -3.12 -m pip install \"Django>=4.2,<5\"", &["pip install django>=4.2,<5"]),
    ("/usr/bin/pip3 install numpy", &["pip install numpy"]),
    ("pip3.11 install pandas==2.2.2", &["pip install pandas==2.2.2"]),
    ("pip-3.8 install Flask_SQLAlchemy", &["pip install flask-sqlalchemy"]),
    ("'C:\\Python312\\Scripts\\pip.exe' install pywin32", &["pip install pywin32"]),
    (".venv/bin/pip install -e .", &["pip install -e path:."]),
    (".venv/bin/python -m pip install -e \".[dev,test]\"", &["pip install -e path:.[dev,test]"]),
    ("/usr/bin/python3 -Im pip install --user httpx", &["pip install httpx"]),
    ("python -W ignore -m pip install six", &["pip install six"]),
    ("python3 -mpip install attrs", &["pip install attrs"]),
    ("pip install --no-deps --no-index --find-links ./wheels mypkg", &["pip install mypkg find-links=./wheels --no-index --no-deps"]),
    ("pip install -i https://example.com/simple private-pkg", &["pip install private-pkg index-url=https://example.com/simple"]),
    ("pip install --extra-index-url https://example.com/simple/ internal-lib==1.0.0", &["pip install internal-lib==1.0.0 extra-index-url=https://example.com/simple/"]),
    ("pip install --index-url=http://127.0.0.1:8080/simple --trusted-host 127.0.0.1 foo", &["pip install foo index-url=http://127.0.0.1:8080/simple trusted-host=127.0.0.1"]),
    ("pip install git+https://example.com/org/repo.git@v1.2.0#egg=repo", &["pip install vcs:git+https://example.com/org/repo.git@v1.2.0#egg=repo"]),
    ("pip install \"mylib @ git+https://example.com/org/mylib.git@abc123\"", &["pip install vcs:mylib @ git+https://example.com/org/mylib.git@abc123"]),
    ("pip install https://example.com/files/pkg-1.0-py3-none-any.whl", &["pip install url:https://example.com/files/pkg-1.0-py3-none-any.whl"]),
    ("pip install ./dist/mypkg-0.1.0-py3-none-any.whl", &["pip install path:./dist/mypkg-0.1.0-py3-none-any.whl"]),
    ("pip install dist/*.whl", &["pip install path:dist/*.whl"]),
    ("pip install mypkg-1.0.tar.gz", &["pip install path:mypkg-1.0.tar.gz"]),
    ("pip install --user pipenv", &["pip install pipenv"]),
    ("pip install 'uvicorn[standard]>=0.30'", &["pip install uvicorn>=0.30"]),
    ("pip install \"black==24.4.2\" \"ruff==0.5.0\"", &["pip install black==24.4.2 ruff==0.5.0"]),
    ("pip install 'requests >= 2.31 ; python_version >= \"3.8\"'", &["pip install requests>=2.31"]),
    ("pip install --require-h -r req.txt", &["pip install -r req.txt --require-hashes"]),
    ("pip install --no-dep x", &["pip install x"]),
    ("pip install --no-deps x", &["pip install x --no-deps"]),
    ("pip install --no-dependencies x", &["pip install x --no-deps"]),
    ("pip install --ind https://example.com/simple x", &["pip install x index-url=https://example.com/simple"]),
    ("pip install --extra https://example.com/simple x", &["pip install x extra-index-url=https://example.com/simple"]),
    ("pip install --no-b x", &["pip install x"]),
    ("pip install --only-b :all: x", &["pip install x --no-build --only-binary=:all:"]),
    ("pip install -qr requirements.txt", &["pip install -r requirements.txt"]),
    ("pip install -Ur requirements/dev.txt", &["pip install -r requirements/dev.txt --upgrade"]),
    ("pip install -rrequirements.txt", &["pip install -r requirements.txt"]),
    ("pip install -c constraints.txt -r requirements.in", &["pip install -r requirements.in -c constraints.txt"]),
    ("pip install --constraint=constraints.txt apache-airflow==2.9.2", &["pip install apache-airflow==2.9.2 -c constraints.txt"]),
    ("pip --disable-pip-version-check install x", &["pip install x"]),
    ("pip --disable install x", &["pip install x"]),
    ("pip -q install x", &["pip install x"]),
    ("pip --trusted-host 127.0.0.1 install x", &["pip install x trusted-host=127.0.0.1"]),
    ("pip --python .venv/bin/python install x", &["pip install x"]),
    ("pip install --only-binary :all: numpy", &["pip install numpy --no-build --only-binary=:all:"]),
    ("pip install --only-binary=:all: --require-hashes -r req.txt", &["pip install -r req.txt --require-hashes --no-build --only-binary=:all:"]),
    ("pip install --uploaded-prior-to=P7D requests", &["pip install requests --exclude-newer=P7D"]),
    ("pip download -d ./wheels -r requirements.txt", &["pip download -r requirements.txt"]),
    ("pip download --no-deps --dest /tmp/x requests==2.32.3", &["pip download requests==2.32.3 --no-deps"]),
    ("pip wheel -w dist --no-deps .", &["pip wheel path:. --no-deps"]),
    ("pip install --dry-run --report - requests", &["pip install requests --dry-run"]),
    ("pip install -e git+https://example.com/org/repo.git#egg=repo", &["pip install -e vcs:git+https://example.com/org/repo.git#egg=repo"]),
    ("pip install --editable=../shared", &["pip install -e path:../shared"]),
    ("pip install -t ./vendor requests", &["pip install requests"]),
    ("pip install --target=/opt/lib --platform manylinux2014_x86_64 --only-binary=:all: cryptography", &["pip install cryptography --no-build --only-binary=:all:"]),
    ("pip install -- -weird-name", &["pip install ?:-weird-name"]),
    ("pip install $PACKAGES", &["pip install ?:$PACKAGES (dynamic)"]),
    ("pip install \"requests==${REQUESTS_VERSION}\"", &["pip install requests==${REQUESTS_VERSION} (dynamic)"]),
    ("pip install -r \"$REQ_FILE\"", &["pip install -r $REQ_FILE (dynamic)"]),
    ("pip install ${{ matrix.django-version }}", &["pip install ?:${{ matrix.django-version }} (dynamic)"]),

    // ---- what installs uv itself ------------------------------------------------------------
    ("pip install uv", &["pip install uv"]),
    ("pip install uv==0.5.11", &["pip install uv==0.5.11"]),
    ("pipx install uv", &["pipx install uv"]),
    ("python -m pip install --break-system-packages uv", &["pip install uv"]),

    // ---- look-alikes that install nothing ----------------------------------------------------
    ("grep \"pip install\" README.md", &[]),
    ("grep -rn 'uv add' docs/", &[]),
    ("echo uv add x", &[]),
    ("echo \"pip install requests\"", &[]),
    ("git commit -m \"uv add httpx\"", &[]),
    ("git commit -am 'pip install fix'", &[]),
    ("pip --version", &[]),
    ("pip -V", &[]),
    ("pip list", &[]),
    ("pip list --outdated --format=json", &[]),
    ("pip freeze > requirements.txt", &[]),
    ("pip show requests", &[]),
    ("pip uninstall -y requests", &[]),
    ("pip check", &[]),
    ("pip install --help", &[]),
    ("pip help install", &[]),
    ("uv --version", &[]),
    ("uv version", &[]),
    ("uv lock --check", &[]),
    ("uv lock --locked", &[]),
    ("uv lock --check-exists", &[]),
    ("uv sync --check", &[]),
    ("uv sync --help", &[]),
    ("uv pip list", &[]),
    ("uv pip freeze", &[]),
    ("uv pip compile requirements.in -o requirements.txt", &[]),
    ("uv tree", &[]),
    ("uv export --format requirements-txt > requirements.txt", &[]),
    ("uv python install 3.12", &[]),
    ("uv venv", &[]),
    ("uv cache clean", &[]),
    ("man pip", &[]),
    ("which uv", &[]),
    ("command -v uv", &[]),
    ("type pip", &[]),
    ("cat requirements.txt", &[]),
    ("# pip install x", &[]),
    ("echo done # uv add evil", &[]),
    ("printf '%s\\n' \"uv sync\"", &[]),
    ("sed -i 's/pip install/uv pip install/' Makefile", &[]),
    ("pipx list", &[]),
    ("pipx ensurepath", &[]),
    ("poetry --version", &[]),
    ("poetry check --lock", &[]),
    ("poetry config virtualenvs.create false", &[]),
    ("pdm lock --check", &[]),
    ("conda list", &[]),
    ("conda env list", &[]),
    ("apt-get install -y python3-pip", &[]),
    ("npm install", &[]),
    ("cat > setup.sh <<'EOF'\npip install evil\nEOF", &[]),
    ("cat <<EOF\nrun: uv add x\nEOF", &[]),
    ("docker run --rm python:3.12 bash -c \"pip install x\"", &[]),
    ("python -c \"print('hello')\"", &[]),
    ("python setup.py sdist bdist_wheel", &[]),

    // ---- uv ---------------------------------------------------------------------------------
    ("uv sync", &["uv sync"]),
    ("uv sync --locked", &["uv sync --locked"]),
    ("uv sync --frozen --no-dev", &["uv sync --frozen"]),
    ("uv sync --all-extras --dev", &["uv sync"]),
    ("uv sync --locked \"$@\"", &["uv sync --locked (dynamic)"]),
    ("uv --directory backend sync --locked", &["uv sync --locked"]),
    ("uv --no-config sync", &["uv sync"]),
    ("uv -q --project services/api sync --locked --no-install-project", &["uv sync --locked"]),
    ("uv sync --exclude-newer \"2024-05-01\"", &["uv sync --exclude-newer=2024-05-01"]),
    ("uv sync --locked --no-locked", &["uv sync"]),
    ("uv sync --upgrade", &["uv sync --upgrade"]),
    ("uv run pytest -q", &["uv run"]),
    ("uv run --locked pytest", &["uv run --locked"]),
    ("uv run --frozen --no-sync pytest", &[]),
    ("uv run --no-sync python -m pip install x", &["pip install x"]),
    ("UV_NO_SYNC=1 uv run pytest", &[]),
    ("uv run --no-sync --with rich app.py", &["uv run rich"]),
    ("uv run --with httpx python script.py", &["uv run httpx"]),
    ("uv run --with 'rich>=13,<14' --with typer app.py", &["uv run rich>=13,<14 typer"]),
    ("uv run --with rich,typer app.py", &["uv run rich typer"]),
    ("uv run -w requests -- python -c 'import requests'", &["uv run requests"]),
    ("uv run --with-editable ./lib main.py", &["uv run -e path:./lib"]),
    ("uv run --with-requirements requirements.txt main.py", &["uv run -r requirements.txt"]),
    ("uv run --isolated --with jupyter jupyter lab", &["uv run jupyter"]),
    ("uv run --no-project --with pandas python -c \"import pandas\"", &["uv run pandas"]),
    ("uv run python -m pip install requests", &["uv run", "pip install requests"]),
    ("uv run pip install foo", &["uv run", "pip install foo"]),
    ("uv run -m pip install bar", &["uv run", "pip install bar"]),
    ("uv run --module pip install baz", &["uv run", "pip install baz"]),
    ("uv add requests", &["uv add requests"]),
    ("uv add 'httpx>=0.27' --dev", &["uv add httpx>=0.27"]),
    ("uv add --dev pytest==8.2.0 pytest-cov", &["uv add pytest==8.2.0 pytest-cov"]),
    ("uv add -r requirements.txt", &["uv add -r requirements.txt"]),
    ("uv add --requirements=requirements-dev.txt --group dev", &["uv add -r requirements-dev.txt"]),
    ("uv add git+https://example.com/org/lib --tag v1.0", &["uv add vcs:git+https://example.com/org/lib"]),
    ("uv add --editable ./libs/core", &["uv add -e path:./libs/core"]),
    ("uv add --index https://example.com/simple torch", &["uv add torch index=https://example.com/simple"]),
    ("uv add --default-index https://example.com/simple x", &["uv add x default-index=https://example.com/simple"]),
    ("uv add --frozen requests", &["uv add requests --frozen"]),
    ("uv add --exclude-newer 2024-06-01T00:00:00Z requests", &["uv add requests --exclude-newer=2024-06-01T00:00:00Z"]),
    ("uv add \"fastapi[standard]\"", &["uv add fastapi"]),
    ("uv add -m \"sys_platform == 'linux'\" uvloop", &["uv add uvloop"]),
    ("uv pip install -r requirements.txt", &["uv pip-install -r requirements.txt"]),
    ("uv pip install --system --require-hashes -r requirements.lock", &["uv pip-install -r requirements.lock --require-hashes"]),
    ("uv pip install -e .", &["uv pip-install -e path:."]),
    ("uv pip install --only-binary :all: numpy", &["uv pip-install numpy --no-build --only-binary=:all:"]),
    ("uv pip install --python .venv/bin/python torch --index-url https://example.com/whl/cpu", &["uv pip-install torch index-url=https://example.com/whl/cpu"]),
    ("uv pip install --no-deps -c constraints.txt pkg", &["uv pip-install pkg -c constraints.txt --no-deps"]),
    ("uv pip sync requirements.txt", &["uv pip-sync -r requirements.txt"]),
    ("uv pip sync --require-hashes requirements.lock", &["uv pip-sync -r requirements.lock --require-hashes"]),
    ("uv -q pip install x", &["uv pip-install x"]),
    ("uv pip --quiet install x", &["uv pip-install x"]),
    ("uv --allow-insecure-host 127.0.0.1 pip install x", &["uv pip-install x trusted-host=127.0.0.1"]),
    ("uv lock", &["uv lock"]),
    ("uv lock --upgrade", &["uv lock --upgrade"]),
    ("uv lock --upgrade-package requests", &["uv lock --upgrade"]),
    ("uv lock -P requests", &["uv lock --upgrade"]),
    ("uv tool install ruff", &["uv tool-install ruff"]),
    ("uv tool install ruff@0.6.9", &["uv tool-install ruff==0.6.9"]),
    ("uv tool install 'ruff==0.6.9'", &["uv tool-install ruff==0.6.9"]),
    ("uv tool install --from git+https://example.com/org/tool tool", &["uv tool-install vcs:git+https://example.com/org/tool"]),
    ("uv tool install --with mkdocs-material mkdocs", &["uv tool-install mkdocs mkdocs-material"]),
    ("uv tool run black --check .", &["uv tool-run black"]),
    ("uv tool upgrade ruff", &["uv update ruff --upgrade"]),
    ("uv tool upgrade --all", &["uv update --upgrade"]),
    ("uvx ruff check .", &["uvx tool-run ruff"]),
    ("uvx ruff@0.6.9 format --check", &["uvx tool-run ruff==0.6.9"]),
    ("uvx --from 'httpie==3.2.2' http GET example.com", &["uvx tool-run httpie==3.2.2"]),
    ("uvx --with mkdocs-material mkdocs build", &["uvx tool-run mkdocs mkdocs-material"]),
    ("uvx pycowsay@latest hello", &["uvx tool-run pycowsay"]),
    ("uvx --index-url https://example.com/simple mytool --flag", &["uvx tool-run mytool index-url=https://example.com/simple"]),
    ("uvx --from git+https://example.com/org/tool.git tool --help", &["uvx tool-run vcs:git+https://example.com/org/tool.git"]),
    ("python -m uv pip install x", &["uv pip-install x"]),

    // ---- pipx, poetry, pdm ------------------------------------------------------------------
    ("pipx install poetry", &["pipx install poetry"]),
    ("pipx install poetry==1.8.3", &["pipx install poetry==1.8.3"]),
    ("pipx install --index-url https://example.com/simple black", &["pipx install black index-url=https://example.com/simple"]),
    ("pipx install --pip-args='--require-hashes --no-deps' ruff", &["pipx install ruff --require-hashes --no-deps"]),
    ("pipx run cowsay moo", &["pipx tool-run cowsay"]),
    ("pipx run --spec 'black==24.1.0' black .", &["pipx tool-run black==24.1.0"]),
    ("pipx inject poetry poetry-plugin-export", &["pipx inject poetry-plugin-export"]),
    ("pipx upgrade black", &["pipx update black --upgrade"]),
    ("pipx runpip black install click", &["pipx install click"]),
    ("poetry install", &["poetry install"]),
    ("poetry install --no-root --only main", &["poetry install"]),
    ("poetry -C backend install --sync", &["poetry install"]),
    ("poetry add requests", &["poetry add requests"]),
    ("poetry add requests@^2.31", &["poetry add requests^2.31"]),
    ("poetry add \"pytest>=8\" --group dev", &["poetry add pytest>=8"]),
    ("poetry add --source private internal-lib", &["poetry add internal-lib source=private"]),
    ("poetry lock --no-update", &["poetry lock"]),
    ("poetry self add poetry-plugin-export", &["poetry add poetry-plugin-export"]),
    ("poetry update requests", &["poetry update requests"]),
    ("poetry run pip install x", &["pip install x"]),
    ("poetry run pytest", &[]),
    ("pdm install --frozen-lockfile", &["pdm install --frozen"]),
    ("pdm install --check", &["pdm install --locked"]),
    ("pdm add -d pytest", &["pdm add pytest"]),
    ("pdm add -e ./sub --dev", &["pdm add -e path:./sub"]),
    ("pdm sync --clean", &["pdm sync"]),
    ("pdm run python -m pip install x", &["pip install x"]),

    // ---- conda, mamba, micromamba, pixi, easy_install ----------------------------------------
    ("conda install -y numpy=1.26.4", &["conda install numpy=1.26.4"]),
    ("conda install -c conda-forge -y scipy", &["conda install scipy channel=conda-forge"]),
    ("conda install conda-forge::numpy", &["conda install numpy"]),
    ("conda create -n py311 python=3.11 pip", &["conda create python=3.11 pip"]),
    ("conda env create -f environment.yml", &["conda create -r environment.yml"]),
    ("conda env update --file environment.yml --prune", &["conda update -r environment.yml --upgrade"]),
    ("conda install --file requirements.txt", &["conda install -r requirements.txt"]),
    ("mamba install -y -c conda-forge 'pytorch>=2.2'", &["mamba install pytorch>=2.2 channel=conda-forge"]),
    ("micromamba install -y -n base -f env.lock", &["micromamba install -r env.lock"]),
    ("micromamba create -y -n test -c conda-forge python=3.12", &["micromamba create python=3.12 channel=conda-forge"]),
    ("conda run -n myenv pip install requests", &["pip install requests"]),
    ("pixi install --locked", &["pixi install --locked"]),
    ("pixi install --frozen", &["pixi install --frozen"]),
    ("PIXI_FROZEN=true pixi install", &["pixi install --frozen env:PIXI_FROZEN=true"]),
    ("pixi add numpy", &["pixi add numpy"]),
    ("pixi add --pypi \"requests>=2.31\"", &["pixi add requests>=2.31"]),
    ("pixi run python -m pip install x", &["pixi run", "pip install x"]),
    ("pixi global install ruff", &["pixi install ruff"]),
    ("pixi exec cowpy hello", &["pixi tool-run cowpy"]),
    ("easy_install requests", &["easy_install install requests"]),
    ("python3 setup.py install", &["easy_install install path:setup.py"]),
    ("python setup.py develop", &["easy_install install -e path:setup.py"]),
    ("easy_install -i https://example.com/simple -N foo==1.0", &["easy_install install foo==1.0 index-url=https://example.com/simple --no-deps"]),

    // ---- chains, groups, control flow, substitutions ------------------------------------------
    ("pip install -U pip && pip install -r requirements.txt", &["pip install pip --upgrade", "pip install -r requirements.txt"]),
    ("cd app && uv sync --locked && uv run pytest", &["uv sync --locked", "uv run"]),
    ("set -e; python -m venv .venv; . .venv/bin/activate; pip install -r requirements.txt", &["pip install -r requirements.txt"]),
    ("pip install a&&uv add b;echo done", &["pip install a", "uv add b"]),
    ("pip install x || pip install y", &["pip install x", "pip install y"]),
    ("(cd docs && pip install -r requirements.txt)", &["pip install -r requirements.txt"]),
    ("{ uv sync --locked; uv run pytest; }", &["uv sync --locked", "uv run"]),
    ("test -f uv.lock && uv sync --locked || uv sync", &["uv sync --locked", "uv sync"]),
    ("if [ -f requirements.txt ]; then pip install -r requirements.txt; fi", &["pip install -r requirements.txt"]),
    ("for req in requirements/*.txt; do pip install -r \"$req\"; done", &["pip install -r $req (dynamic)"]),
    ("while read -r pkg; do pip install \"$pkg\"; done < packages.txt", &["pip install ?:$pkg (dynamic)"]),
    ("case \"$CI\" in true) uv sync --locked ;; *) uv sync ;; esac", &["uv sync --locked", "uv sync"]),
    ("echo $(pip install evil)", &["pip install evil"]),
    ("echo `uv add leftpad`", &["uv add leftpad"]),
    ("VERSION=$(uv run python -c 'import app; print(app.__version__)')", &["uv run"]),
    ("pip install x & pip install y & wait", &["pip install x", "pip install y"]),
    ("pip install x | tee install.log", &["pip install x"]),
    ("nohup pip install -r requirements.txt > log 2>&1 &", &["pip install -r requirements.txt"]),
    ("pip install \\\n  requests \\\n  flask", &["pip install requests flask"]),
    ("python -m pip install --upgrade pip\npip install -r requirements.txt\npytest", &["pip install pip --upgrade", "pip install -r requirements.txt"]),
    ("install() { pip install \"$@\"; }; install requests", &["pip install ?:$@ (dynamic)"]),
    ("[[ -n \"$CI\" && -f uv.lock ]] && uv sync --locked", &["uv sync --locked"]),
    ("! pip install broken-pkg", &["pip install broken-pkg"]),
    ("time pip install -r requirements.txt", &["pip install -r requirements.txt"]),
    ("exec uv run gunicorn app:app", &["uv run"]),
    ("until uv sync --locked; do sleep 5; done", &["uv sync --locked"]),
    ("diff <(pip freeze) <(uv pip install --dry-run x)", &["uv pip-install x --dry-run"]),
    ("x=$((1 + 2)); pip install \"pkg==$x\"", &["pip install pkg==$x (dynamic)"]),
    ("pip install $'requests'", &["pip install requests"]),

    // ---- nested scripts: bash -c, eval, here-documents ----------------------------------------
    ("bash -c 'pip install requests'", &["pip install requests"]),
    ("sh -c \"uv sync --locked && uv run pytest\"", &["uv sync --locked", "uv run"]),
    ("bash -lc \"pip install -r requirements.txt\"", &["pip install -r requirements.txt"]),
    ("bash -ec 'uv sync'", &["uv sync"]),
    ("bash -euxo pipefail -c 'uv sync --frozen'", &["uv sync --frozen"]),
    ("sh -c 'sh -c \"pip install deep\"'", &["pip install deep"]),
    ("zsh -c \"pip install \\\"flask==3.0.3\\\"\"", &["pip install flask==3.0.3"]),
    ("su -c \"pip install x\" deploy", &["pip install x"]),
    ("eval \"pip install x\"", &["pip install x"]),
    ("bash <<'EOF'\npip install requests\nEOF", &["pip install requests"]),
    ("bash <<< \"uv add httpx\"", &["uv add httpx"]),
    ("sh -s <<EOF\nuv sync --locked\nEOF\necho after", &["uv sync --locked"]),
    ("cat <<EOF > requirements.txt\nrequests==2.32.3\nEOF\npip install -r requirements.txt", &["pip install -r requirements.txt"]),
    ("cat <<-EOF\n\tpip install in-heredoc\n\tEOF\nuv sync", &["uv sync"]),
    ("python - <<'EOF'\nimport subprocess\nsubprocess.run([\"pip\", \"install\", \"x\"])\nEOF", &["unparsed! program text that mentions an installer"]),
    ("python -c \"import subprocess; subprocess.check_call(['pip','install','x'])\"", &["unparsed! program text that mentions an installer"]),

    // ---- wrappers: sudo, env, timeout, nice, nohup, time, exec, xargs, ... -----------------------
    ("sudo pip install requests", &["pip install requests"]),
    ("sudo -H pip3 install --upgrade pip", &["pip install pip --upgrade"]),
    ("sudo -u app -E pip install x", &["pip install x"]),
    ("sudo -E UV_LOCKED=1 uv sync", &["uv sync --locked env:UV_LOCKED=1"]),
    ("sudo UV_LOCKED=1 uv sync", &["uv sync --locked env:UV_LOCKED=1"]),
    ("UV_LOCKED=1 sudo uv sync", &["uv sync"]),
    ("UV_LOCKED=1 sudo -E uv sync", &["uv sync --locked env:UV_LOCKED=1"]),
    ("sudo --user=app pip install x", &["pip install x"]),
    ("env UV_FROZEN=1 uv sync", &["uv sync --frozen env:UV_FROZEN=1"]),
    ("env -i PATH=/usr/bin UV_LOCKED=1 uv sync", &["uv sync --locked env:UV_LOCKED=1"]),
    ("export UV_LOCKED=1; env -u UV_LOCKED uv sync", &["uv sync"]),
    ("export UV_LOCKED=1; env -i uv sync", &["uv sync"]),
    ("env -S 'uv run --locked' script.py", &["uv run --locked"]),
    ("timeout 600 pip install -r requirements.txt", &["pip install -r requirements.txt"]),
    ("timeout -k 10s 5m uv sync --locked", &["uv sync --locked"]),
    ("nice -n 10 pip install x", &["pip install x"]),
    ("nice -10 pip install x", &["pip install x"]),
    ("nohup uv sync &", &["uv sync"]),
    ("time uv sync --locked", &["uv sync --locked"]),
    ("command pip install x", &["pip install x"]),
    ("stdbuf -oL pip install x", &["pip install x"]),
    ("doas pip install x", &["pip install x"]),
    ("exec pip install x", &["pip install x"]),
    ("xargs pip install < requirements.txt", &["pip install (dynamic)"]),
    ("cat requirements.txt | xargs -n 1 pip install", &["pip install (dynamic)"]),
    ("find . -name 'requirements*.txt' | xargs -I{} pip install -r {}", &["pip install -r {} (dynamic)"]),
    ("sudo -E env PIP_INDEX_URL=https://example.com/simple timeout 300 nice pip install x", &["pip install x index-url=https://example.com/simple env:PIP_INDEX_URL=https://example.com/simple"]),
    ("busybox sh -c 'pip install x'", &["pip install x"]),

    // ---- environment: prefixes and exports ----------------------------------------------------
    ("UV_LOCKED=1 uv sync", &["uv sync --locked env:UV_LOCKED=1"]),
    ("UV_FROZEN=true uv run pytest", &["uv run --frozen env:UV_FROZEN=true"]),
    ("UV_LOCKED=0 uv sync", &["uv sync env:UV_LOCKED=0"]),
    ("export UV_LOCKED=1\nuv sync", &["uv sync --locked env:UV_LOCKED=1"]),
    ("export UV_FROZEN=1 && uv sync", &["uv sync --frozen env:UV_FROZEN=1"]),
    ("UV_LOCKED=1\nuv sync", &["uv sync"]),
    ("UV_LOCKED=1; export UV_LOCKED; uv sync", &["uv sync --locked env:UV_LOCKED=1"]),
    ("export UV_LOCKED=1; unset UV_LOCKED; uv sync", &["uv sync"]),
    ("(export UV_LOCKED=1); uv sync", &["uv sync"]),
    ("{ export UV_LOCKED=1; }; uv sync", &["uv sync --locked env:UV_LOCKED=1"]),
    ("export PIP_REQUIRE_HASHES=1; pip install -r req.txt", &["pip install -r req.txt --require-hashes env:PIP_REQUIRE_HASHES=1"]),
    ("PIP_INDEX_URL=https://example.com/simple pip install x", &["pip install x index-url=https://example.com/simple env:PIP_INDEX_URL=https://example.com/simple"]),
    ("PIP_EXTRA_INDEX_URL=\"https://example.com/a https://example.com/b\" pip install x", &["pip install x extra-index-url=https://example.com/a extra-index-url=https://example.com/b env:PIP_EXTRA_INDEX_URL=https://example.com/a https://example.com/b"]),
    ("UV_EXCLUDE_NEWER=false uv sync", &["uv sync --exclude-newer=false env:UV_EXCLUDE_NEWER=false"]),
    ("UV_EXCLUDE_NEWER=2024-01-01T00:00:00Z uv lock", &["uv lock --exclude-newer=2024-01-01T00:00:00Z env:UV_EXCLUDE_NEWER=2024-01-01T00:00:00Z"]),
    ("UV_INDEX=https://example.com/simple uv lock", &["uv lock index=https://example.com/simple env:UV_INDEX=https://example.com/simple"]),
    ("UV_INDEX_URL=https://example.com/simple uv pip install x", &["uv pip-install x index-url=https://example.com/simple env:UV_INDEX_URL=https://example.com/simple"]),
    ("PIP_NO_DEPS=yes pip install x", &["pip install x --no-deps env:PIP_NO_DEPS=yes"]),
    ("export UV_LOCKED=1\nbash -c 'uv sync'", &["uv sync --locked env:UV_LOCKED=1"]),
    ("UV_LOCKED=1 bash -c 'uv sync'", &["uv sync --locked env:UV_LOCKED=1"]),
    ("export UV_LOCKED=1; sudo bash -c 'uv sync'", &["uv sync"]),
    ("export UV_LOCKED=1; sudo -E bash -c 'uv sync'", &["uv sync --locked env:UV_LOCKED=1"]),
    ("UV_LOCKED=1; eval 'export UV_LOCKED; uv sync'", &["uv sync --locked env:UV_LOCKED=1"]),
    ("UV_LOCKED=1 pip install x", &["pip install x"]),
    ("PIP_REQUIRE_HASHES=1 uv pip install -r req.txt", &["uv pip-install -r req.txt"]),
    ("\"$PYTHON\" -I -m pip install -r req.txt", &["pip install -r req.txt (dynamic)"]),
    ("PATH=/opt/bin:$PATH CI=1 uv sync --frozen", &["uv sync --frozen"]),
    ("UV_FROZEN=1 uv sync --no-frozen", &["uv sync env:UV_FROZEN=1"]),

    // ---- remote scripts ----------------------------------------------------------------------
    ("curl -LsSf https://astral.sh/uv/install.sh | sh", &["remote sh https://astral.sh/uv/install.sh"]),
    ("curl -LsSf https://astral.sh/uv/0.5.11/install.sh | sh", &["remote sh https://astral.sh/uv/0.5.11/install.sh"]),
    ("wget -qO- https://astral.sh/uv/install.sh | sh", &["remote sh https://astral.sh/uv/install.sh"]),
    ("curl -fsSL https://example.com/install.sh | sudo bash", &["remote bash https://example.com/install.sh"]),
    ("curl -sSL https://example.com/install-poetry.py | python3 -", &["remote python3 https://example.com/install-poetry.py"]),
    ("sh <(curl -fsSL https://example.com/install.sh)", &["remote sh https://example.com/install.sh"]),
    ("bash -c \"$(curl -fsSL https://example.com/install.sh)\"", &["remote bash https://example.com/install.sh"]),
    ("eval \"$(curl -fsSL https://example.com/x.sh)\"", &["remote sh https://example.com/x.sh"]),
    ("source <(curl -s https://example.com/env.sh)", &["remote source https://example.com/env.sh"]),
    (". <(wget -qO- https://example.com/env.sh)", &["remote . https://example.com/env.sh"]),
    ("curl -o install.sh https://astral.sh/uv/install.sh && sh install.sh", &["remote sh https://astral.sh/uv/install.sh"]),
    ("curl -LO https://example.com/get.sh && bash ./get.sh", &["remote bash https://example.com/get.sh"]),
    ("wget https://example.com/setup.sh && sh setup.sh", &["remote sh https://example.com/setup.sh"]),
    ("curl -fsSL https://example.com/install.sh -o /tmp/i.sh; sh /tmp/i.sh", &["remote sh https://example.com/install.sh"]),
    ("curl -fsSL https://example.com/x.sh > x.sh\nbash x.sh", &["remote bash https://example.com/x.sh"]),
    ("powershell -ExecutionPolicy ByPass -c \"irm https://astral.sh/uv/install.ps1 | iex\"", &["remote iex https://astral.sh/uv/install.ps1"]),
    ("curl -LsSf https://astral.sh/uv/install.sh | env UV_INSTALL_DIR=/opt/uv sh", &["remote sh https://astral.sh/uv/install.sh"]),
    ("curl -LsSf https://astral.sh/uv/install.sh | sh -s -- --no-modify-path", &["remote sh https://astral.sh/uv/install.sh"]),
    ("python3 -c \"$(curl -fsSL https://example.com/x.py)\"", &["remote python3 https://example.com/x.py"]),
    ("curl -fsSL https://example.com/data.json | jq .", &[]),
    ("curl -o data.json https://example.com/data.json && cat data.json", &[]),
    ("curl -fsSL https://example.com/key.gpg | gpg --dearmor -o /usr/share/keyrings/x.gpg", &[]),

    // ---- cannot be understood: reported, never waved through ------------------------------------
    ("pip install \"requests", &["unparsed! unterminated double quote"]),
    ("pip install 'flask", &["unparsed! unterminated single quote"]),
    ("echo \"unterminated", &["unparsed unterminated double quote"]),
    ("(pip install x", &["pip install x", "unparsed! unbalanced parentheses"]),
    ("{ pip install x", &["pip install x", "unparsed! unterminated `{` group"]),
    ("uv add httpx)", &["uv add httpx", "unparsed unmatched `)`"]),
    ("$PIP install requests", &["unparsed! the command name is only known at run time"]),
    ("\"$UV\" sync", &["unparsed! the command name is only known at run time"]),
    ("$(which pip) install x", &["unparsed! the command name is only known at run time"]),
    ("$INSTALLER install x", &["unparsed! the command name is only known at run time"]),
    ("$CC -o app main.c", &["unparsed the command name is only known at run time"]),
    ("pip $PIP_CMD requests", &["unparsed! the subcommand is only known at run time"]),
    ("uv $SUBCOMMAND", &["unparsed! the subcommand is only known at run time"]),
    ("eval \"$INSTALL_CMD\"", &["unparsed the command name is only known at run time"]),
    ("eval \"$(poetry env activate)\"", &["unparsed! the command name is only known at run time"]),
    ("echo $(pip install x", &["unparsed! unterminated `$(`"]),
    ("cat <<EOF\npip install x", &["unparsed! unterminated here-document"]),
    ("$PYTHON -m pip install x", &["pip install x (dynamic)"]),
    ("${VENV}/bin/pip install x", &["pip install x"]),

    // ---- AI-agent commands --------------------------------------------------------------------
    ("cd /repo && uv add requests && uv run pytest -x", &["uv add requests", "uv run"]),
    ("uv add --dev ruff mypy && uv run ruff check .", &["uv add ruff mypy", "uv run"]),
    ("pip install -q requests 2>&1 | tail -5", &["pip install requests"]),
    ("source .venv/bin/activate && pip install pandas matplotlib", &["pip install pandas matplotlib"]),
    ("python3 -m venv venv && ./venv/bin/pip install -r requirements.txt", &["pip install -r requirements.txt"]),
    ("pip install --quiet --no-cache-dir 'numpy<2'", &["pip install numpy<2"]),
    ("cd backend && poetry install && poetry run python manage.py migrate", &["poetry install"]),
    ("npm install && pip install -r requirements.txt", &["pip install -r requirements.txt"]),
    ("pip install reqeusts", &["pip install reqeusts"]),
    ("pip3 install --break-system-packages langchain-communitty", &["pip install langchain-communitty"]),
    ("git clone https://example.com/org/repo.git && cd repo && pip install -e .", &["pip install -e path:."]),
    ("pip install requests; python -c 'import requests; print(requests.__version__)'", &["pip install requests"]),
    ("cd /tmp && uvx --with numpy python -c 'import numpy'", &["uvx tool-run python numpy"]),
    ("uv add requests 2>&1 | head -20", &["uv add requests"]),

    // ---- Dockerfile RUN lines -------------------------------------------------------------------
    ("pip install --no-cache-dir -r requirements.txt", &["pip install -r requirements.txt"]),
    ("apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/* && pip install --no-cache-dir uv==0.5.11", &["pip install uv==0.5.11"]),
    ("uv sync --frozen --no-install-project --no-dev", &["uv sync --frozen"]),
    ("pip install --upgrade pip setuptools wheel \\\n    && pip install --no-cache-dir -r /tmp/requirements.txt", &["pip install pip setuptools wheel --upgrade", "pip install -r /tmp/requirements.txt"]),
    ("curl -LsSf https://astral.sh/uv/install.sh | env UV_UNMANAGED_INSTALL=\"/usr/local/bin\" sh", &["remote sh https://astral.sh/uv/install.sh"]),
    ("set -eux; pip install --no-cache-dir poetry==1.8.3; poetry config virtualenvs.create false; poetry install --no-interaction --no-ansi --only main", &["pip install poetry==1.8.3", "poetry install"]),
    ("python -m pip install --no-cache-dir --require-hashes -r requirements.txt", &["pip install -r requirements.txt --require-hashes"]),
    ("conda install -y -c conda-forge mamba && mamba install -y -c conda-forge gdal", &["conda install mamba channel=conda-forge", "mamba install gdal channel=conda-forge"]),
    ("micromamba install -y -n base -f /tmp/env.yaml && micromamba clean --all --yes", &["micromamba install -r /tmp/env.yaml"]),
    ("uv pip install --system --no-cache -r requirements.txt", &["uv pip-install -r requirements.txt"]),

    // ---- CI run: blocks ---------------------------------------------------------------------------
    ("python -m pip install --upgrade pip\npython -m pip install flake8 pytest\nif [ -f requirements.txt ]; then pip install -r requirements.txt; fi\n", &["pip install pip --upgrade", "pip install flake8 pytest", "pip install -r requirements.txt"]),
    ("uv sync --all-extras --dev\nuv run pytest tests", &["uv sync", "uv run"]),
    ("echo \"VIRTUAL_ENV=$VIRTUAL_ENV\" >> $GITHUB_ENV\nuv venv\nuv pip install -r requirements.txt", &["uv pip-install -r requirements.txt"]),
    ("pip install tox tox-gh-actions", &["pip install tox tox-gh-actions"]),
    ("uv python install ${{ matrix.python-version }}", &[]),
    ("pipx install hatch && hatch run test", &["pipx install hatch"]),
    ("curl -LsSf https://astral.sh/uv/install.sh | sh\necho \"$HOME/.local/bin\" >> $GITHUB_PATH", &["remote sh https://astral.sh/uv/install.sh"]),
    ("pip install virtualenv\nvirtualenv venv\nsource venv/bin/activate\npip install -r requirements.txt --index-url https://example.com/api/v4/projects/1/packages/pypi/simple", &["pip install virtualenv", "pip install -r requirements.txt index-url=https://example.com/api/v4/projects/1/packages/pypi/simple"]),
    ("export UV_FROZEN=1\nuv sync\nuv run --with coverage coverage run -m pytest", &["uv sync --frozen env:UV_FROZEN=1", "uv run coverage --frozen env:UV_FROZEN=1"]),
    ("uv sync --locked\r\nuv run pytest\r\n", &["uv sync --locked", "uv run"]),
];

#[test]
fn corpus_has_at_least_200_commands() {
    assert!(CORPUS.len() >= 200, "corpus has {} entries", CORPUS.len());
}

#[test]
fn corpus_matches_expected_analysis() {
    let mut failures = Vec::new();
    for (src, expected) in CORPUS {
        let got = render(&analyze(src));
        if got != *expected {
            failures.push(format!(
                "{src:?}\n  expected: {expected:?}\n  got:      {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus entries differ:\n{}",
        failures.len(),
        CORPUS.len(),
        failures.join("\n")
    );
}

/// Every span points into the analysed text, and an intent's span covers the installer's name.
#[test]
fn corpus_spans_point_into_the_command() {
    for (src, _) in CORPUS {
        let a = analyze(src);
        for i in &a.intents {
            let text = src
                .get(i.span.clone())
                .expect("intent span inside the text");
            // `python setup.py install` is setuptools' easy_install path.
            let needle = match i.installer.as_str() {
                "easy_install" if text.contains("setup.py") => "setup.py",
                other => other,
            };
            assert!(
                text.contains(needle),
                "{src:?}: intent span {:?} is {text:?}",
                i.span
            );
            for p in &i.packages {
                assert!(
                    src.get(p.arg.span.clone()).is_some(),
                    "{src:?}: package span"
                );
            }
            for f in i.requirement_files.iter().chain(&i.constraint_files) {
                assert!(
                    src.get(f.span.clone()).is_some_and(|t| !t.is_empty()),
                    "{src:?}: file span"
                );
            }
        }
        for r in &a.remote_scripts {
            assert!(
                src.get(r.span.clone()).is_some_and(|t| !t.is_empty()),
                "{src:?}: remote span"
            );
        }
        for u in &a.unparsed {
            assert!(src.get(u.span.clone()).is_some(), "{src:?}: unparsed span");
        }
    }
}

/// Not a test: `bench/shell-parse` runs it in release mode and reads the figures it prints.
/// Each command is analysed `CORDON_BENCH_ROUNDS` times in a row; the figures are the totals
/// and the slowest command's mean.
#[test]
#[ignore = "benchmark; run by bench/shell-parse"]
#[allow(clippy::cast_precision_loss)] // counts far below 2^52
fn corpus_benchmark() {
    let rounds: u32 = std::env::var("CORDON_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let intents_per_round: usize = CORPUS
        .iter()
        .map(|(src, _)| analyze(src).intents.len())
        .sum();
    let mut total = Duration::ZERO;
    let mut slowest = (Duration::ZERO, "");
    let mut intents = 0usize;
    for (src, _) in CORPUS {
        let start = Instant::now();
        for _ in 0..rounds {
            intents += std::hint::black_box(analyze(std::hint::black_box(src)))
                .intents
                .len();
        }
        let spent = start.elapsed();
        total += spent;
        if spent > slowest.0 {
            slowest = (spent, src);
        }
    }
    let commands = f64::from(rounds) * CORPUS.len() as f64;
    let secs = total.as_secs_f64();
    let bytes: usize = CORPUS.iter().map(|(s, _)| s.len()).sum();
    println!(
        "corpus: {} commands ({bytes} bytes), {intents_per_round} intents per pass",
        CORPUS.len()
    );
    println!("passes: {rounds} ({commands:.0} analyses) in {secs:.3} s");
    println!("intents per second: {:.0}", intents as f64 / secs);
    println!("commands per second: {:.0}", commands / secs);
    println!("mean per command: {:.2} us", secs * 1e6 / commands);
    println!(
        "slowest command: {:.2} us mean ({:?})",
        slowest.0.as_secs_f64() * 1e6 / f64::from(rounds),
        slowest.1
    );
}
