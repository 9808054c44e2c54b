<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Rest;

use OzonBridge\OzonRocket\Storage\OperationRecord;

/** One call of ozonrocket.partial.apply: what an earlier call left, and how far this one got. */
final class PartialApplyRun
{
    /** @var array<string, mixed> what the operation table holds for this operation now */
    public array $known;
    public bool $gatewayCalled = false;
    public bool $savingStarted = false;
    public bool $saveRefused = false;

    /** @param OperationRecord|null $record null: this call claimed the operationId fresh */
    public function __construct(
        public readonly PartialApplyRequest $request,
        public readonly ?OperationRecord $record,
    ) {
        $this->known = $record?->answer ?? [];
    }

    /** An earlier call got somewhere: its change may be saved already. */
    public function resumed(): bool
    {
        return $this->record !== null;
    }

    /** No earlier call tried a refund or a save, so this one decides how the money goes back. */
    public function decidesRefund(): bool
    {
        return $this->record === null || $this->record->isUntouched();
    }

    /**
     * Nothing of this operation reached the shop: no gateway was called, no save happened or
     * could have (a refused save writes nothing), and no earlier call got further than a claim.
     */
    public function isForgettable(): bool
    {
        return $this->decidesRefund() && !$this->gatewayCalled && (!$this->savingStarted || $this->saveRefused);
    }
}
