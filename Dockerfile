# donorbot image: a static binary on distroless, running as an unprivileged
# user. Build: docker build -t donorbot .   Run: see docker-compose.yml.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static (no cgo), with the time zone database embedded (TZ=Asia/Ho_Chi_Minh
# needs it); migrations and locale files are embedded already.
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags="-s -w" -o /out/donorbot ./cmd/donorbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/donorbot /donorbot
USER nonroot:nonroot
ENV LISTEN_ADDR=0.0.0.0:8080
EXPOSE 8080
# Healthy when PostgreSQL and Redis answer (GET /healthz on LISTEN_ADDR).
HEALTHCHECK --interval=15s --timeout=6s --start-period=30s --retries=3 CMD ["/donorbot", "health"]
ENTRYPOINT ["/donorbot"]
CMD ["serve"]
