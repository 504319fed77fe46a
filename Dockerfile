FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# `prepare` builds nothing yet (no sources in this layer).
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund \
  && mkdir -p /data && chown node:node /data
ENV NODE_ENV=production PORT=8000 DATA_DIR=/data
# Unprivileged: the image's `node` user (uid 1000). Without DATABASE_URL the embedded PostgreSQL
# runs as this user too, with its data in /data (mount a volume there).
USER node
EXPOSE 8000
CMD ["node", "--min-semi-space-size=16", "--max-semi-space-size=16", "--heap-growing-percent=50", "dist/main.js"]
