# syntax=docker/dockerfile:1
# paperboy's image: `docker build -t paperboy .`, then see compose.yaml (PostgreSQL 18 + paperboy) or
#   docker run --init --stop-timeout 35 -p 3000:3000 --env-file .env -v paperboy-data:/app/data paperboy
# Two stages: the first has the compiler and every dev dependency and compiles src/ to dist/ (with the
# Prisma client); the image itself has only the production dependencies (`npm ci --omit=dev`), dist/,
# and what dist/ reads at run time (migrations, email templates, the bundled seeds). It runs as the
# unprivileged user paperboy, so an embedded PostgreSQL (DATABASE_URL unset) runs as that user too.
# tests/integration/deploy/image-steps.test.ts runs these steps (no image is built there): keep them
# plain COPY, ENV and RUN lines.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: dist/ from the TypeScript source
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY src ./src
RUN npm run db:generate && npm run build

# ---- the image: production dependencies, dist/, an unprivileged user
FROM ${NODE_IMAGE}
ENV NODE_ENV=production DATA_DIR=/app/data HOST=0.0.0.0 PORT=3000
WORKDIR /app
RUN groupadd --system paperboy && useradd --system --gid paperboy --home-dir /app --no-create-home --shell /usr/sbin/nologin paperboy
COPY --from=build /app/dist ./dist
COPY package.json package-lock.json ./
COPY scripts/postinstall.mjs ./scripts/
# (postinstall finds no source here: nothing to generate or build; the embedded PostgreSQL's own
# install step links its binaries)
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY prisma ./prisma
COPY emails ./emails
COPY seeds ./seeds
RUN mkdir -p /app/data && chown paperboy:paperboy /app/data
USER paperboy
VOLUME /app/data
EXPOSE 3000
# 200 while the database answers ("ok" or "degraded": the reasons are in the body), 503 when not
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: stop claiming, finish and record the sends in flight, exit within SHUTDOWN_TIMEOUT (25 s).
# Give it longer than that before SIGKILL: docker run --stop-timeout 35, compose stop_grace_period: 35s
# (Docker's default is 10 s). --init (compose: init: true) reaps the processes paperboy starts.
STOPSIGNAL SIGTERM
CMD ["node", "bin/paperboy.js", "serve"]
