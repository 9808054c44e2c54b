<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Bridge;

use Bitrix\Main\Web\HttpClient;

/** Bitrix's own HttpClient: honours the shop's proxy and TLS settings. */
final class BitrixHttpTransport implements Transport
{
    public static function isAvailable(): bool
    {
        return class_exists(HttpClient::class);
    }

    public function request(
        string $method,
        string $url,
        array $headers,
        ?string $body,
        float $connectTimeout,
        float $timeout,
    ): TransportResponse {
        $client = new HttpClient([
            'redirect' => false,
            'socketTimeout' => max(1, (int) ceil($connectTimeout)),
            'streamTimeout' => max(1, (int) ceil($timeout)),
            'disableSslVerification' => false,
        ]);
        foreach ($headers as $name => $value) {
            $client->setHeader($name, $value, true);
        }
        if (!$client->query($method, $url, $body)) {
            $errors = $client->getError();
            $text = is_array($errors) && $errors !== [] ? implode('; ', array_map('strval', $errors)) : 'no answer';
            throw new TransportException($text);
        }
        $contentType = (string) ($client->getHeaders()->get('Content-Type') ?? '');

        return new TransportResponse((int) $client->getStatus(), (string) $client->getResult(), $contentType);
    }
}
