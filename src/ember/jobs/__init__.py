"""Background work with huey: the queue, the tasks, and the consumers that run them."""
