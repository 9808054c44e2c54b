<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests;

use OzonBridge\OzonRocket\Logger;

final class MemoryLogger implements Logger
{
    /** @var list<array{event: string, message: string, item: string}> */
    public array $entries = [];

    public function warning(string $event, string $message, string $itemId = ''): void
    {
        $this->entries[] = ['event' => $event, 'message' => $message, 'item' => $itemId];
    }

    /** @return list<string> */
    public function events(): array
    {
        return array_column($this->entries, 'event');
    }
}
