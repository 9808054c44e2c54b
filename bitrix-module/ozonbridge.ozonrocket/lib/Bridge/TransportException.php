<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Bridge;

/** No HTTP answer at all: the bridge is down, unreachable or too slow. */
final class TransportException extends \RuntimeException
{
}
