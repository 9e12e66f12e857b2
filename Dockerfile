# Herald's container image (Dockerfile and Containerfile alike): the static
# binary scripts/release builds, on an empty base with only CA
# certificates, running as a non-root user with its data folder a volume.
#
#   podman build -t herald .            (or docker build; from a clone, see below)
#   podman run -d -p 8080:8080 -v herald-data:/data herald
#
# Build from a git clone: like scripts/release, the build stamps the commit
# (-buildvcs=true), which `herald version` prints, so the context needs the
# .git folder (a git worktree's .git is a file pointing outside the context:
# clone instead). Uncommitted changes show as "(with uncommitted changes)".
# docs/DEPLOY.md ("Container") says how to run it, alone or with compose.

# The builder: Go with git and a POSIX shell. GO_IMAGE names another image
# with the same (Go in /usr/local/go or on PATH, git, sh, sed, mkdir); the
# tests build one from the host's Go toolchain.
ARG GO_IMAGE=docker.io/library/golang:1.26-bookworm

FROM ${GO_IMAGE} AS build
# VERSION: empty picks it as scripts/release does (the tag at HEAD without
# its "v", or else the newest version in CHANGELOG.md with -dev+COMMIT).
ARG VERSION=
# GOPROXY: the module proxy for the build, when not the default.
ARG GOPROXY
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= GOMODCACHE=/go/pkg/mod GOCACHE=/root/.cache/go-build
WORKDIR /src
COPY . .
# The same go build as scripts/release: static, -trimpath, the commit from
# -buildvcs, no build id, the version with -X. Same commit, same Go, same
# VERSION: the same bytes as the release's linux binary for this platform.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
	set -eu; \
	commit=$(git rev-parse --verify 'HEAD^{commit}'); \
	short=${commit%"${commit#????????????}"}; \
	if [ -z "$VERSION" ]; then \
		if tag=$(git describe --tags --exact-match "$commit" 2>/dev/null); then \
			VERSION=${tag#v}; \
		else \
			VERSION="$(sed -n '/^## \[[0-9]/{s/^## \[\([0-9][^]]*\)\].*/\1/p;q;}' CHANGELOG.md)-dev+$short"; \
		fi; \
	fi; \
	echo "== herald $VERSION ($commit, $(go env GOVERSION))"; \
	go build -trimpath -buildvcs=true \
		-ldflags "-s -w -buildid= -X main.version=$VERSION" -o /out/herald ./cmd/herald; \
	mkdir -m 0700 /out/data

# The image: nothing but the binary, the CA certificates for Herald's TLS
# calls (SMTP, webhooks, chat, OIDC, the heartbeat) and an empty data
# folder. Time zones are in the binary (time/tzdata), shells are not.
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/herald /usr/local/bin/herald
COPY --from=build --chown=65532:65532 /out/data /data
# Listen on every interface of the container (the binary's default is
# 127.0.0.1, right for a host behind a local proxy, unreachable here); the
# SQLite database and secret.key go to /data. Every flag has a HERALD_ twin:
# -e HERALD_DATABASE_URL=... -e HERALD_SECRET_KEY=... for PostgreSQL.
ENV PATH=/usr/local/bin HERALD_ADDR=:8080 HERALD_DATA=/data HERALD_LOG_FORMAT=json
# A numeric user, so the runtime needs no /etc/passwd to know it is not root.
USER 65532:65532
WORKDIR /data
VOLUME /data
EXPOSE 8080
# No HEALTHCHECK: the image has no shell or HTTP client to run one, and
# herald has no probing subcommand; probe GET /readyz over HTTP from the
# orchestrator or load balancer instead (docs/DEPLOY.md).
ENTRYPOINT ["herald"]
CMD ["serve"]
