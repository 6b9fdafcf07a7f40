-- Emails received (and, later, sent) by Message-ID, each logged as an email activity. Replies
-- join their thread through In-Reply-To / References; the Message-ID makes a repeated delivery
-- from the mail provider harmless.
CREATE TABLE email_messages (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    in_reply_to TEXT,
    direction TEXT NOT NULL,
    from_address TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, message_id)
);
CREATE INDEX email_messages_thread ON email_messages(workspace_id, thread_id);
CREATE INDEX email_messages_activity ON email_messages(activity_id);
