package io.dbmigrate.testing;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.function.Function;

/**
 * The CRUD mock, plus the one computed answer an API server gives that the mock cannot: a SelfSubjectRulesReview
 * (which JOSDK's leader election sends at start-up), answered with the rules that apply in the asked namespace.
 */
final class RulesReviewingCrudDispatcher extends KubernetesCrudDispatcher {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final Function<String, List<ResourceRule>> rulesIn;

    RulesReviewingCrudDispatcher(Function<String, List<ResourceRule>> rulesIn) {
        super(List.of());
        this.rulesIn = rulesIn;
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        if (!request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
            return super.handleCreate(request);
        }
        SelfSubjectRulesReview review = SERIALIZATION.unmarshal(request.getUtf8Body(), SelfSubjectRulesReview.class);
        review.setStatus(new SubjectRulesReviewStatusBuilder()
                .withResourceRules(rulesIn.apply(review.getSpec().getNamespace()))
                .withIncomplete(false)
                .build());
        return new MockResponse().setResponseCode(201).setBody(SERIALIZATION.asJson(review));
    }
}
