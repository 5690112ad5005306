"""The names processes agree on: the Celery queue and every task name. A leaf: the receiver, the
beat, the exporter and `status` name tasks and the queue without importing the Celery app."""

QUEUE = "leadrelay"

POLL = "leadrelay.poll"
SWEEP = "leadrelay.sweep"
ROUTE_RECORDS = "leadrelay.route_records"
RETRY_DEAD_LETTERS = "leadrelay.retry_dead_letters"
CHECK_SLAS = "leadrelay.check_slas"
SWEEP_SLAS = "leadrelay.sweep_slas"
SEND_NOTIFICATIONS = "leadrelay.send_notifications"
RELEASE_HOLDS = "leadrelay.release_holds"
BACKFILL = "leadrelay.backfill"
RETRAIN_BEST_FIT = "leadrelay.retrain_best_fit"
