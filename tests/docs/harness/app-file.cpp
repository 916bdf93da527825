// Harness "app-file": the snippet is a source file of the application, which has a connection
// pool `pool` (with `bool ping()`), declared before it.
struct ConnectionPool {
  bool ping() { return true; }
};
ConnectionPool pool;

// @SNIPPET@
