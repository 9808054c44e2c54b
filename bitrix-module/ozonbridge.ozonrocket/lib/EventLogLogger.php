<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket;

/** Writes to Settings → Tools → Event log, filterable by the OZONROCKET_* audit types. */
final class EventLogLogger implements Logger
{
    public function warning(string $event, string $message, string $itemId = ''): void
    {
        if (!class_exists(\CEventLog::class)) {
            return;
        }
        \CEventLog::Add([
            'SEVERITY' => 'WARNING',
            'AUDIT_TYPE_ID' => 'OZONROCKET_' . $event,
            'MODULE_ID' => Module::ID,
            'ITEM_ID' => $itemId,
            'DESCRIPTION' => $message,
        ]);
    }
}
