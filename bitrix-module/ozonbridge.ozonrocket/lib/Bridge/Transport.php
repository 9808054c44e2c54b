<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Bridge;

/** One HTTP exchange. Production: Bitrix's HttpClient; tests and the contract run: cURL or a fake. */
interface Transport
{
    /**
     * @param array<string, string> $headers
     * @throws TransportException when no HTTP answer arrived (DNS, refused, timeout, TLS)
     */
    public function request(
        string $method,
        string $url,
        array $headers,
        ?string $body,
        float $connectTimeout,
        float $timeout,
    ): TransportResponse;
}
