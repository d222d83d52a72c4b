package bot

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus series of one process, on a registry of its own
// (no global default registry, so tests can run several bots in one process).
type Metrics struct {
	Registry       *prometheus.Registry
	Updates        *prometheus.CounterVec
	Duplicates     prometheus.Counter
	Refused        prometheus.Counter
	HandlerLatency *prometheus.HistogramVec
	Errors         *prometheus.CounterVec
	APICalls       *prometheus.CounterVec
	Webhook        *prometheus.CounterVec
	// Queued counts scheduled messages (reminders) queued, and Deliveries
	// the outcome of every queued message (broadcasts and scheduled ones),
	// both by broadcast kind: "reminder_2h" sent, failed, ...
	Queued     *prometheus.CounterVec
	Deliveries *prometheus.CounterVec
	// Recalls counts the recall funnel: donors told they may donate again
	// ("recalled"), registrations that followed one ("registered") and
	// donations recorded at those ("donated").
	Recalls *prometheus.CounterVec
	// ContactSkipped counts donors not sent a non-urgent message because
	// they were at the contact cap, by kind (announcement, recall).
	ContactSkipped *prometheus.CounterVec
}

// NewMetrics registers donorbot's series and the Go runtime's.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "donorbot_updates_total", Help: "Updates handled, by type.",
		}, []string{"type"}),
		Duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "donorbot_duplicate_updates_total", Help: "Redelivered updates rejected by dedupe.",
		}),
		Refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "donorbot_refused_updates_total", Help: "Updates PostgreSQL refused to store, dropped.",
		}),
		HandlerLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "donorbot_handler_duration_seconds",
			Help:    "Time to handle one update, by type.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"type"}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "donorbot_errors_total", Help: "Handler failures, by kind (error, panic).",
		}, []string{"kind"}),
		APICalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "donorbot_telegram_requests_total", Help: "Bot API calls, by method and HTTP result.",
		}, []string{"method", "result"}),
		Webhook: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "donorbot_webhook_requests_total", Help: "Webhook requests, by HTTP status answered.",
		}, []string{"status"}),
		Queued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "donorbot_scheduled_queued_total", Help: "Scheduled messages (reminders) queued for delivery, by kind.",
		}, []string{"kind"}),
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "donorbot_deliveries_total", Help: "Queued messages by kind and outcome (sent, failed, blocked, retried).",
		}, []string{"kind", "outcome"}),
		Recalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "donorbot_recalls_total", Help: "Recall funnel: donors recalled when eligible again, registrations after a recall, donations at those.",
		}, []string{"stage"}),
		ContactSkipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "donorbot_contact_cap_skipped_total", Help: "Donors skipped at the contact cap, by message kind.",
		}, []string{"kind"}),
	}
	m.Registry.MustRegister(m.Updates, m.Duplicates, m.Refused, m.HandlerLatency, m.Errors, m.APICalls, m.Webhook,
		m.Queued, m.Deliveries, m.Recalls, m.ContactSkipped,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// apiTransport counts Bot API calls by method and result. The method is the
// last path element of /bot<token>/<method>; the token never becomes a label.
type apiTransport struct {
	next http.RoundTripper
	m    *Metrics
}

func (t apiTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
	resp, err := t.next.RoundTrip(req)
	result := "error"
	if err == nil {
		result = strconv.Itoa(resp.StatusCode)
	}
	t.m.APICalls.WithLabelValues(method, result).Inc()
	return resp, err
}

// apiClient is the HTTP client for Bot API calls; its timeout must exceed
// the long-polling timeout.
func apiClient(m *Metrics, pollTimeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: apiTransport{next: newWholeBody(tr), m: m}, Timeout: pollTimeout + 15*time.Second}
}
