<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Storage;

/** Remembers partial-acceptance operations by operationId, so a repeated call changes nothing. */
interface OperationStore
{
    public function find(string $operationId): ?OperationRecord;

    /** Claims the id; false when someone holds it already. */
    public function start(string $operationId, int $orderId): bool;

    /** @param array<string, mixed> $answer */
    public function advance(string $operationId, string $stage, array $answer): void;

    /** Releases a claim that changed nothing (so a corrected call with the same id may run). */
    public function forget(string $operationId): void;
}
