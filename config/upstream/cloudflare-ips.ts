/**
 * Cloudflare's published edge ranges: the only sources allowed to reach the public ingress (NSG, ingress
 * allow-list) and the destinations the public ingress subnet routes straight to the Internet (symmetric replies).
 *
 * Source: https://www.cloudflare.com/ips-v4 and https://www.cloudflare.com/ips-v6 (also GET
 * https://api.cloudflare.com/client/v4/ips). Refresh: `curl -s https://www.cloudflare.com/ips-v4`, replace the
 * list, bump `retrieved`. The list changes rarely (last change: 2023); a test fails when `retrieved` is too old.
 */
export const CLOUDFLARE_IPS = {
    source: "https://www.cloudflare.com/ips/",
    /** Date the list below was last compared with the published one (YYYY-MM-DD). */
    retrieved: "2026-11-26",
    ipv4: [
        "173.245.48.0/20",
        "103.21.244.0/22",
        "103.22.200.0/22",
        "103.31.4.0/22",
        "141.101.64.0/18",
        "108.162.192.0/18",
        "190.93.240.0/20",
        "188.114.96.0/20",
        "197.234.240.0/22",
        "198.41.128.0/17",
        "162.158.0.0/15",
        "104.16.0.0/13",
        "104.24.0.0/14",
        "172.64.0.0/13",
        "131.0.72.0/22",
    ],
    ipv6: ["2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32", "2405:8100::/32", "2a06:98c0::/29", "2c0f:f248::/32"],
} as const;
