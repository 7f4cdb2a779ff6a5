package io.hyphae.strategy.kubernetes.internal;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Words a failed call to the API server as an operator needs to read it. The text must stay the
 * same while the cause stays the same, because the seed tracker logs once per distinct reason.
 */
public final class ApiFailures {

    private ApiFailures() {
    }

    /**
     * @param verb the RBAC verb of the failed call: {@code list} or {@code watch}
     * @param namespace the namespace the call was made in
     * @param apiServer the API server's URL, for connection failures
     */
    public static String describe(String verb, String namespace, String apiServer, Throwable failure) {
        KubernetesClientException k8s = find(failure);
        int code = k8s == null ? 0 : k8s.getCode();
        String serverSaid = k8s != null && k8s.getStatus() != null && k8s.getStatus().getMessage() != null
                ? " (API server: " + k8s.getStatus().getMessage() + ")"
                : "";
        return switch (code) {
            case 403 -> "missing RBAC permission: '" + verb + "' on 'pods' in namespace '" + namespace + "' is forbidden"
                    + serverSaid + ". Grant it with a Role allowing get, list and watch on pods in '" + namespace
                    + "' and a RoleBinding of that Role to the pod's service account, for example: kubectl -n "
                    + namespace + " create role hyphae-discovery --verb=get,list,watch --resource=pods && kubectl -n "
                    + namespace + " create rolebinding hyphae-discovery --role=hyphae-discovery"
                    + " --serviceaccount=" + namespace + ":<service-account> (see examples/kubernetes/rbac.yaml)";
            case 401 -> "the API server at " + apiServer + " refused the credentials (HTTP 401) when trying to "
                    + verb + " pods in namespace '" + namespace + "'; check the service-account token or the kubeconfig user";
            case 0 -> "cannot " + verb + " pods in namespace '" + namespace + "': no answer from the API server at "
                    + apiServer + ": " + rootCause(failure);
            default -> "cannot " + verb + " pods in namespace '" + namespace + "': HTTP " + code + serverSaid;
        };
    }

    private static KubernetesClientException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException k && k.getCode() > 0) {
                return k;
            }
        }
        return null;
    }

    private static String rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
