package storage

// InviteePool is the candidates' query, for the benchmark's EXPLAIN.
const InviteePool = inviteePool
