<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Mapper;

/** The order cannot become a bridge request; the message says what the manager should fix. */
final class MappingException extends \RuntimeException
{
}
