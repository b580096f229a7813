# One image for `docker run` and for Binder: the course, its pinned JupyterLab and the Go (gonb)
# kernel, on Debian bookworm with Go 1.26.8.
#   make image            (or: docker build -t concurrency-kitchen .)
#   docker run --rm -p 8888:8888 concurrency-kitchen
# Binder starts it with its own command, `python3 -c <launcher> --ip=... --port=... --ServerApp.token=...`,
# which execs `jupyter-lab`: the entrypoint (tini) runs whatever command it is given, and the pinned
# Jupyter is the only one on PATH. The kernel is installed system-wide, where any Jupyter finds it.
#
# Registries are build arguments with the public defaults. A build behind a TLS-intercepting proxy
# passes its CA bundle as a secret, which no layer keeps:
#   DOCKER_BUILDKIT=1 docker build --secret id=cacert,src=/etc/ssl/certs/ca-certificates.crt -t concurrency-kitchen .
ARG BASE_IMAGE=debian:bookworm-20260202-slim
FROM ${BASE_IMAGE}

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

ARG NB_USER=jovyan
ARG NB_UID=1000
ARG GO_VERSION=1.26.8
# sha256 of the Go distribution as the module proxy serves it (golang.org/toolchain@v0.0.1-go1.26.8.linux-*.zip)
ARG GO_SHA256_AMD64=30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7
ARG GO_SHA256_ARM64=02b36b6787b3ac767668f630e2998df45a3b1f9ffee08d1bf3ef6487cd658d99
ARG TARGETARCH
ARG APT_MIRROR=http://deb.debian.org
ARG GOPROXY=https://proxy.golang.org
ARG PIP_INDEX_URL=https://pypi.org/simple
ARG NPM_CONFIG_REGISTRY=https://registry.npmjs.org/

USER 0
# Python 3.11 for the pinned Jupyter, Node.js and npm for the pinned chart library, redis-server for
# the job-queue lesson, gcc for cgo (the race detector needs it), tini as PID 1 (it reaps the cells'
# children), procps for `ps` in a terminal.
# hadolint ignore=DL3008
RUN --mount=type=secret,id=cacert \
    if [ -s /run/secrets/cacert ]; then export CURL_CA_BUNDLE=/run/secrets/cacert; fi \
 && if [ "$APT_MIRROR" != http://deb.debian.org ]; then \
      sed -i "s#http://deb.debian.org#${APT_MIRROR}#g" /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null || true; fi \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl unzip python3 python3-venv nodejs npm redis-server tini procps make gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/* \
 && arch=${TARGETARCH:-$(dpkg --print-architecture)} \
 && case "$arch" in amd64) sum=$GO_SHA256_AMD64;; arm64) sum=$GO_SHA256_ARM64;; \
      *) echo "no Go checksum for $arch" >&2; exit 1;; esac \
 && curl -fsSL -o /tmp/go.zip "${GOPROXY%%,*}/golang.org/toolchain/@v/v0.0.1-go${GO_VERSION}.linux-${arch}.zip" \
 && echo "$sum  /tmp/go.zip" | sha256sum -c - \
 && unzip -q /tmp/go.zip -d /tmp/go \
 && mv "/tmp/go/golang.org/toolchain@v0.0.1-go${GO_VERSION}.linux-${arch}" /usr/local/go \
 && rm -rf /tmp/go /tmp/go.zip \
 && /usr/local/go/bin/go version \
 && useradd --create-home --uid "${NB_UID}" --shell /bin/bash "${NB_USER}" \
 && install -d -o "${NB_UID}" /usr/local/share/jupyter/kernels /opt/go

# The course lives in the user's home, owned by the user (uid 1000 on Binder). GOPATH (the module
# cache) is outside the home, which is the module's root, so that `./...` never walks it.
ENV NB_USER=${NB_USER} \
    NB_UID=${NB_UID} \
    HOME=/home/${NB_USER} \
    PATH=/home/${NB_USER}/.venv/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    GOPATH=/opt/go \
    GOTOOLCHAIN=local \
    GOFLAGS=-buildvcs=false
USER ${NB_UID}
WORKDIR /home/${NB_USER}

# The pinned dependencies first, in a layer of their own: editing a lesson does not reinstall them.
COPY --chown=${NB_UID}:${NB_UID} requirements-jupyter.txt package.json package-lock.json go.mod go.sum ./
COPY --chown=${NB_UID}:${NB_UID} .ci/setup .ci/gonb_patch.py .ci/
RUN --mount=type=secret,id=cacert,mode=0444 COURSE_BUILD_CA=/run/secrets/cacert bash .ci/setup --image --deps

COPY --chown=${NB_UID}:${NB_UID} . /home/${NB_USER}
# The same set-up as `make lab` and `make test`: the pinned Jupyter packages in .venv (the only
# Jupyter in the image), gonb, goimports and gopls at go.mod's versions, the kernel, the pinned
# ECharts library (no dev packages), the Go caches warmed so that a first cell is quick, and the
# kernel in /usr/local/share/jupyter, where every Jupyter looks whatever PATH a launcher sets.
RUN --mount=type=secret,id=cacert,mode=0444 COURSE_BUILD_CA=/run/secrets/cacert bash .ci/setup --image \
 && jupyter trust notebooks/*.ipynb

EXPOSE 8888
ENTRYPOINT ["/usr/bin/tini", "-g", "--"]
# JupyterLab on the course, token authentication on (a random token, printed in the log).
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--no-browser", "--ServerApp.root_dir=notebooks"]
