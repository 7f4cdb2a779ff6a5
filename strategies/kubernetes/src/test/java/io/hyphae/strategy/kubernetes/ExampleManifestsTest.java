package io.hyphae.strategy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.hyphae.membership.config.ConfigSection;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every manifest in examples/kubernetes/ is a valid Kubernetes object, and together they give the strategy what it needs. */
class ExampleManifestsTest {

    private static final Path EXAMPLES = Path.of("../../examples/kubernetes");
    private static final List<String> NOT_MANIFESTS = List.of("hyphae.yaml", "kustomization.yaml");

    private static List<HasMetadata> objects;
    private static Map<String, Object> nodeConfig;

    @BeforeAll
    static void load() throws IOException {
        KubernetesSerialization serialization = new KubernetesSerialization();
        objects = new ArrayList<>();
        for (Path file : manifestFiles()) {
            try (InputStream in = Files.newInputStream(file)) {
                Object parsed = serialization.unmarshal(in);
                if (parsed instanceof List<?> list) {
                    list.forEach(o -> objects.add((HasMetadata) o));
                } else {
                    objects.add((HasMetadata) parsed);
                }
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> config = new ObjectMapper(new YAMLFactory()).readValue(EXAMPLES.resolve("hyphae.yaml").toFile(), Map.class);
        nodeConfig = config;
    }

    private static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".yaml"))
                    .filter(f -> !NOT_MANIFESTS.contains(f.getFileName().toString()))
                    .sorted().toList();
        }
    }

    private static <T extends HasMetadata> T only(Class<T> kind) {
        List<T> found = objects.stream().filter(kind::isInstance).map(kind::cast).toList();
        assertThat(found).as("%s objects", kind.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    @SuppressWarnings("unchecked")
    private static ConfigSection kubernetesBlock() {
        List<Map<String, Object>> discovery = (List<Map<String, Object>>) nodeConfig.get("discovery");
        int index = discovery.stream().map(b -> b.get("strategy")).toList().indexOf("kubernetes");
        assertThat(index).as("a kubernetes block in hyphae.yaml").isNotNegative();
        return new ConfigSection("hyphae.yaml", "discovery[" + index + "]", discovery.get(index));
    }

    private static Container nodeContainer() {
        return only(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    @Test
    void everyManifestParsesWithNoUnknownField() throws IOException {
        assertThat(manifestFiles()).isNotEmpty();
        assertThat(objects).extracting(HasMetadata::getKind)
                .containsExactlyInAnyOrder("Namespace", "ServiceAccount", "Role", "RoleBinding", "Service", "Deployment");
        for (HasMetadata o : objects) {
            assertThat(unknownFields(o, o.getKind() + "/" + o.getMetadata().getName())).as("misspelt or unknown fields").isEmpty();
            if (!o.getKind().equals("Namespace")) {
                assertThat(o.getMetadata().getNamespace()).as("namespace of %s", o.getKind()).isEqualTo("hyphae");
            }
        }
    }

    @Test
    void kustomizationAppliesEveryManifestAndTheNodeConfig() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> kustomization = new ObjectMapper(new YAMLFactory())
                .readValue(EXAMPLES.resolve("kustomization.yaml").toFile(), Map.class);

        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) kustomization.get("resources");
        assertThat(resources).containsExactlyInAnyOrderElementsOf(
                manifestFiles().stream().map(f -> f.getFileName().toString()).toList());
        assertThat(kustomization.get("configMapGenerator").toString()).contains("hyphae-config").contains("hyphae.yaml");
        assertThat(only(Deployment.class).getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(v -> assertThat(v.getConfigMap().getName()).isEqualTo("hyphae-config"));
    }

    @Test
    void theRoleGrantsWhatTheStrategyCallsAndIsBoundToTheNodesServiceAccount() {
        Role role = only(Role.class);
        RoleBinding binding = only(RoleBinding.class);
        String serviceAccount = only(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName();

        // The strategy lists and watches pods in the core API group.
        assertThat(role.getRules()).anySatisfy((PolicyRule rule) -> {
            assertThat(rule.getApiGroups()).contains("");
            assertThat(rule.getResources()).contains("pods");
            assertThat(rule.getVerbs()).contains("list", "watch");
        });
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).anySatisfy(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(serviceAccount);
            assertThat(s.getNamespace()).isEqualTo(role.getMetadata().getNamespace());
        });
        assertThat(only(ServiceAccount.class).getMetadata().getName()).isEqualTo(serviceAccount);
    }

    @Test
    void theNodeConfigLoadsAndMatchesThePods() {
        // The block passes the strategy's own validation.
        ConfigSection block = kubernetesBlock();
        block.string("strategy");
        KubernetesSettings settings = KubernetesSettings.from(block);

        // Its selector picks the Deployment's pods, and the headless service selects the same pods.
        Map<String, String> podLabels = only(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
        assertThat(settings.selector()).doesNotContain(",").contains("=");
        String[] requirement = settings.selector().split("=", 2);
        assertThat(podLabels).containsEntry(requirement[0], requirement[1]);
        Service service = only(Service.class);
        assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());

        // The named port exists on the container, and the service exposes it by that name.
        Map<String, Integer> ports = nodeContainer().getPorts().stream()
                .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
        assertThat(ports).containsKey(((PodPort.Named) settings.port()).name()).containsKey("http");
        assertThat(service.getSpec().getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo("hyphae"));

        // The secret is never written in the file: it comes from a Secret through the environment.
        assertThat(((Map<?, ?>) nodeConfig.get("cluster")).get("secret")).isEqualTo("${HYPHAE_SECRET}");
        EnvVar secret = nodeContainer().getEnv().stream().filter(e -> e.getName().equals("HYPHAE_SECRET")).findFirst().orElseThrow();
        assertThat(secret.getValueFrom().getSecretKeyRef().getName()).isEqualTo("hyphae-cluster");
    }

    @Test
    void probesAndScrapingUseTheHttpPort() {
        Container node = nodeContainer();
        int http = node.getPorts().stream().filter(p -> p.getName().equals("http")).findFirst().orElseThrow().getContainerPort();

        assertThat(node.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(node.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        Map<String, String> annotations = only(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", Integer.toString(http))
                .containsEntry("prometheus.io/path", "/metrics");
    }

    /**
     * Fields the model did not know end up in additionalProperties instead of failing the parse;
     * walking the object tree finds them, so a misspelt key (readinesProbe) fails this test.
     */
    private static List<String> unknownFields(Object o, String path) {
        List<String> found = new ArrayList<>();
        if (o == null || !o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return found;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String field = path + "." + Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            Object value;
            try {
                value = m.invoke(o);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("cannot read " + field, e);
            }
            if (m.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) value).keySet().forEach(k -> found.add(path + "." + k));
            } else if (value instanceof Collection<?> items) {
                items.forEach(item -> found.addAll(unknownFields(item, field)));
            } else if (!(value instanceof Map)) {
                found.addAll(unknownFields(value, field));
            }
        }
        return found;
    }
}
