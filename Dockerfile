# One image for `docker run` and for Binder: JupyterLab with the course and the Go (gonb) kernel.
#   docker build -t concurrency-kitchen .
#   docker run --rm -p 8888:8888 concurrency-kitchen
# Binder runs it as `jupyter notebook ...` with its own arguments: the base image's entrypoint
# (tini, then start.sh) executes whatever command it is given.
FROM quay.io/jupyter/base-notebook:2025-03-14

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

ARG GO_VERSION=1.26.8

USER 0
# Node.js and npm fetch the pinned chart library; redis-server serves the job-queue lesson.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl nodejs npm redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && curl -fsSL "https://go.dev/dl/go${GO_VERSION}.linux-amd64.tar.gz" | tar -C /usr/local -xz

# The course lives in the user's home, owned by the notebook user (uid 1000 on Binder).
ENV PATH=${HOME}/.venv/bin:/usr/local/go/bin:${PATH} \
    GOTOOLCHAIN=local \
    GOFLAGS=-buildvcs=false
COPY --chown=${NB_UID}:${NB_GID} . ${HOME}
# the notebook user: NB_UID, 1000 in the base image and on Binder
USER 1000
WORKDIR ${HOME}

# The same set-up as `make lab`, `make test` and CI: the pinned Jupyter packages in .venv (whose
# jupyter comes first on PATH), gonb/goimports/gopls at go.mod's versions, the kernel, the ECharts
# library, Go modules downloaded and the build cache warmed so the first cell is quick.
RUN bash .ci/setup \
 && go mod download \
 && jupyter trust notebooks/*.ipynb

# JupyterLab on the course; token authentication stays on (start-notebook.py's default).
CMD ["start-notebook.py", "--ServerApp.root_dir=/home/jovyan/notebooks"]
