"""Cluster and need pages: cluster a text question, merge / split / rename, mark a need,
declare a project from a need, link activities, edit the stop words, send a 问效 survey."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from xinfeng.activities.models import Activity
from xinfeng.core.errors import DomainError, NotFound, ValidationFailed
from xinfeng.core.pages import apply_errors
from xinfeng.volunteers.choices import ServiceCategory

from .. import policy, results
from .. import selectors_needs as sel
from ..clustering import default_stop_words
from ..models import Answer, Cluster, Need, NeedStatus, StopWord
from ..policy_needs import may_edit_stop_words
from ..services import evaluation as eval_svc
from ..services import needs as svc

ANSWERS_SHOWN = 200


def _ids(values) -> list[int]:
    out = []
    for v in values:
        if not str(v).isdigit() or len(str(v)) > 18:
            raise ValidationFailed(_("编号无效。"), code="bad_id")
        out.append(int(v))
    return out


def clusters_page(request, survey_id: int):
    survey = sel.results_survey(user=request.user, survey_id=survey_id)
    questions = results.text_question_names(survey)
    if not questions:
        raise NotFound()
    name = request.GET.get("q") or questions[0][0]
    if name not in {n for n, _label in questions}:
        raise NotFound()
    if request.method == "POST":
        svc.clusters_rebuild(actor=request.user, survey=survey, question_name=name)
        messages.success(request, _("已重新聚类。"))
        return redirect(f"{request.path}?q={name}")
    clusters = sel.clusters_for(user=request.user, survey=survey, question_name=name)
    clustered = sum(c.count for c in clusters)
    ctx = {
        "survey": survey,
        "questions": questions,
        "name": name,
        "clusters": clusters,
        "clustered": clustered,
        "may_manage": policy.may_manage_survey(request.user, survey),
    }
    return render(request, "surveys/clusters.html", ctx)


@require_POST
def clusters_merge(request, survey_id: int):
    survey = sel.results_survey(user=request.user, survey_id=survey_id)
    ids = _ids(request.POST.getlist("cluster"))
    clusters = list(Cluster.objects.filter(survey=survey, pk__in=ids).select_related("survey"))
    if len(clusters) != len(set(ids)):
        raise NotFound()
    target = svc.clusters_merge(actor=request.user, clusters=clusters)
    messages.success(request, _("已合并为“%(label)s”。") % {"label": target.label})
    return redirect("surveys:cluster", target.pk)


class RenameForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("名称"), max_length=120)


class NeedForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("需求名称"), max_length=120)
    category = forms.ChoiceField(label=gettext_lazy("服务类别"), choices=ServiceCategory.choices)


def cluster_page(request, cluster_id: int):
    cluster = sel.cluster_get(user=request.user, cluster_id=cluster_id)
    may_manage = policy.may_manage_survey(request.user, cluster.survey)
    rename = RenameForm(initial={"label": cluster.label})
    need_form = NeedForm(
        initial={
            "title": cluster.label,
            "category": svc.category_hint(cluster.label + " ".join(cluster.examples)),
        }
    )
    status = 200
    split_error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "rename":
                rename = RenameForm(request.POST)
                if rename.is_valid():
                    svc.cluster_rename(
                        actor=request.user, cluster=cluster, label=rename.cleaned_data["label"]
                    )
                    messages.success(request, _("已改名。"))
                    return redirect("surveys:cluster", cluster.pk)
                status = 400
            elif action == "split":
                new = svc.cluster_split(
                    actor=request.user,
                    cluster=cluster,
                    answer_ids=_ids(request.POST.getlist("answer")),
                    label=request.POST.get("label", "")[:120],
                )
                messages.success(request, _("已拆分出“%(label)s”。") % {"label": new.label})
                return redirect("surveys:cluster", new.pk)
            elif action == "need":
                need_form = NeedForm(request.POST)
                if need_form.is_valid():
                    need = svc.cluster_mark_need(
                        actor=request.user, cluster=cluster, **need_form.cleaned_data
                    )
                    messages.success(request, _("已标为群众需求。"))
                    return redirect("surveys:need", need.pk)
                status = 400
            else:
                raise ValidationFailed(_("未知的操作。"), code="bad_action")
        except ValidationFailed as exc:
            if action == "split":
                split_error, status = str(exc.detail), exc.status
            else:
                status = apply_errors(rename if action == "rename" else need_form, exc)
    answers = Answer.objects.filter(cluster_member__cluster=cluster)
    # Raw answers are read as on the results page: a station sees its own villages' only.
    villages = results.results_scope(request.user, cluster.survey)
    if villages is not None:
        answers = answers.filter(village_id__in=villages)
    answers = answers.select_related("village").order_by("id")[:ANSWERS_SHOWN]
    ctx = {
        "cluster": cluster,
        "survey": cluster.survey,
        "need": Need.objects.filter(cluster=cluster).first(),
        "split_error": split_error,
        "answers": answers,
        "partial": villages is not None,
        "shown": ANSWERS_SHOWN,
        "villages": svc.cluster_villages(cluster),
        "rename": rename,
        "need_form": need_form,
        "may_manage": may_manage,
    }
    return render(request, "surveys/cluster.html", ctx, status=status)


@require_safe
def needs_page(request):
    needs = sel.need_list(user=request.user)
    status = request.GET.get("status", "")
    if status in NeedStatus.values:
        needs = needs.filter(status=status)
    return render(
        request,
        "surveys/needs.html",
        {
            "needs": needs.prefetch_related("projects")[:300],
            "status": status,
            "statuses": NeedStatus.choices,
        },
    )


class DeclareForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("项目名称"), max_length=120)
    category = forms.ChoiceField(label=gettext_lazy("服务类别"), choices=ServiceCategory.choices)
    summary = forms.CharField(label=gettext_lazy("一句话介绍"), max_length=200, required=False)


def need_page(request, need_id: int):
    need = sel.need_get(user=request.user, need_id=need_id)
    may_manage = policy.may_manage_survey(request.user, need.survey)
    declare = DeclareForm(initial=svc.project_prefill(need))
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "declare":
            declare = DeclareForm(request.POST)
            if declare.is_valid():
                try:
                    project = svc.need_declare_project(
                        actor=request.user, need=need, **declare.cleaned_data
                    )
                except DomainError as exc:
                    status = apply_errors(declare, exc)
                else:
                    messages.success(request, _("已申报服务项目，等待上级审核。"))
                    return redirect("projects:detail", project.pk)
            else:
                status = 400
        elif action == "link":
            ids = _ids(
                [
                    v
                    for v in request.POST.get("activities", "").replace("，", ",").split(",")
                    if v.strip()
                ]
            )
            acts = list(
                Activity.objects.filter(
                    pk__in=ids, region__path__startswith=need.survey.region.path
                )
            )
            if len(acts) != len(set(ids)) or not acts:
                raise ValidationFailed(
                    _("找不到这些活动，或它们不在问卷所属区域内。"), code="bad_activities"
                )
            svc.need_link(actor=request.user, need=need, activities=acts)
            messages.success(request, _("已关联活动。"))
            return redirect("surveys:need", need.pk)
        elif action == "status":
            svc.need_set_status(
                actor=request.user, need=need, status=request.POST.get("status", "")
            )
            return redirect("surveys:need", need.pk)
        else:
            raise ValidationFailed(_("未知的操作。"), code="bad_action")
    if need.cluster is not None:
        sel.show_examples(user=request.user, survey=need.survey, clusters=[need.cluster])
    ctx = {
        "need": need,
        "survey": need.survey,
        "projects": need.projects.order_by("id"),
        "activities": need.activities.order_by("-starts_at")[:50],
        "declare": declare,
        "may_manage": may_manage,
        "statuses": NeedStatus.choices,
    }
    return render(request, "surveys/need.html", ctx, status=status)


class StopWordForm(forms.Form):
    word = forms.CharField(label=gettext_lazy("词"), max_length=32)


def stopwords_page(request):
    sel.require_staff(request.user)
    form = StopWordForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "add")
        form = StopWordForm(request.POST)
        if form.is_valid():
            word = form.cleaned_data["word"]
            try:
                if action == "add":
                    svc.stopword_set(actor=request.user, word=word, enabled=True)
                elif action == "off":
                    svc.stopword_set(actor=request.user, word=word, enabled=False)
                elif action == "reset":
                    svc.stopword_reset(actor=request.user, word=word)
                else:
                    raise ValidationFailed(_("未知的操作。"), code="bad_action")
            except ValidationFailed as exc:
                status = apply_errors(form, exc)
            else:
                return redirect("surveys:stopwords")
        else:
            status = 400
    edits = list(StopWord.objects.order_by("word"))
    ctx = {
        "form": form,
        "edits": edits,
        "defaults": sorted(default_stop_words()),
        "effective": len(svc.stop_words()),
        "may_edit": may_edit_stop_words(request.user),
    }
    return render(request, "surveys/stopwords.html", ctx, status=status)


@require_POST
def evaluation_send(request, survey_id: int):
    survey = sel.results_survey(user=request.user, survey_id=survey_id)
    n = eval_svc.evaluation_send(actor=request.user, survey=survey)
    messages.success(request, _("已通知 %(n)d 位群众参与问效。") % {"n": n})
    return redirect("surveys:results", survey.pk)
