<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests;

use OzonBridge\OzonRocket\Storage\OperationRecord;
use OzonBridge\OzonRocket\Storage\OperationStore;

/** DbOperationStore's behaviour without a database. */
final class InMemoryOperationStore implements OperationStore
{
    /** @var array<string, OperationRecord> */
    public array $records = [];
    public int $now = 1_800_000_000;
    /** The process "dies" (an exception) when it tries to record this stage; once. */
    public ?string $dieOnStage = null;
    /** @var list<string> every stage recorded, in order */
    public array $stages = [];

    public function find(string $operationId): ?OperationRecord
    {
        return $this->records[$operationId] ?? null;
    }

    public function start(string $operationId, int $orderId): bool
    {
        if (isset($this->records[$operationId])) {
            return false;
        }
        $this->records[$operationId] = new OperationRecord($operationId, $orderId, OperationRecord::APPLYING, [], $this->now);

        return true;
    }

    public function advance(string $operationId, string $stage, array $answer): void
    {
        if ($this->dieOnStage === $stage) {
            $this->dieOnStage = null;
            throw new \RuntimeException('the process died before recording ' . $stage);
        }
        $this->stages[] = $stage;
        $old = $this->records[$operationId];
        // Stored as JSON, like the table: what comes back is what json_decode gives.
        $answer = json_decode((string) json_encode($answer), true);
        $this->records[$operationId] = new OperationRecord($operationId, $old->orderId, $stage, $answer, $this->now);
    }

    public function forget(string $operationId): void
    {
        unset($this->records[$operationId]);
    }
}
