<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Bridge;

/**
 * The bridge said no (its problem+json `detail` and field `errors`), or did not answer at all
 * (status 0). The message is fit for a manager or a checkout error line; no token in it.
 */
final class BridgeError extends \RuntimeException
{
    /**
     * @param list<array{loc: string, msg: string}> $errors
     */
    public function __construct(
        public readonly int $status,
        public readonly string $detail,
        public readonly array $errors = [],
        public readonly string $requestId = '',
    ) {
        parent::__construct(self::describe($status, $detail, $errors));
    }

    /** Worth trying again later: no answer, the bridge or Ozon overloaded or down. */
    public function isUnavailable(): bool
    {
        return $this->status === 0 || $this->status === 408 || $this->status === 429 || $this->status >= 500;
    }

    /** @param list<array{loc: string, msg: string}> $errors */
    private static function describe(int $status, string $detail, array $errors): string
    {
        $text = $detail;
        foreach (array_slice($errors, 0, 3) as $error) {
            $text .= sprintf('; %s: %s', $error['loc'], $error['msg']);
        }

        return $status > 0 ? sprintf('%s (HTTP %d)', $text, $status) : $text;
    }
}
